import type { Context, Next } from 'koa';
import { HttpError } from './http-error.ts';
import type { KeylineState } from './keyline-state.ts';
import { readBody } from './read-body.ts';

const FORM_LIMIT_BYTES = 16 * 1024;

/** Reads an application/x-www-form-urlencoded body into ctx.state.form (first value of each field wins). */
export async function parseForm(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'unsupported_media_type', 'This form must be sent as application/x-www-form-urlencoded.');
  }
  const body = await readBody(ctx, FORM_LIMIT_BYTES, 'The form');
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    if (!(key in form)) form[key] = value;
  }
  ctx.state.form = form;
  await next();
}

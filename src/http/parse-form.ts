import type { Context, Next } from 'koa';
import { HttpError } from './http-error.ts';
import type { KeylineState } from './keyline-state.ts';

const FORM_LIMIT_BYTES = 16 * 1024;

/** Reads an application/x-www-form-urlencoded body into ctx.state.form (first value of each field wins). */
export async function parseForm(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'unsupported_media_type', 'This form must be sent as application/x-www-form-urlencoded.');
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > FORM_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'The form is too large.');
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > FORM_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'The form is too large.');
    chunks.push(chunk);
  }
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (!(key in form)) form[key] = value;
  }
  ctx.state.form = form;
  await next();
}

import type { Context, Next } from 'koa';
import { HttpError } from './http-error.ts';
import type { KeylineState } from './keyline-state.ts';
import { readBody } from './read-body.ts';

/** A WebAuthn answer with its attestation fits comfortably; anything larger is not one. */
const JSON_LIMIT_BYTES = 64 * 1024;

/** Reads an application/json object body into ctx.state.json. */
export async function parseJson(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  if (!ctx.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'This request must be sent as application/json.');
  let body: unknown;
  try {
    body = JSON.parse((await readBody(ctx, JSON_LIMIT_BYTES, 'The request body is too large.')).toString('utf8'));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object.');
  ctx.state.json = body as Record<string, unknown>;
  await next();
}

import type { Context, Next } from 'koa';
import { HttpError } from './http-error.ts';
import type { KeylineState } from './keyline-state.ts';
import { readBody } from './read-body.ts';

/** A WebAuthn answer with its attestation fits comfortably; anything larger is not one. */
const JSON_LIMIT_BYTES = 64 * 1024;

/** The request's JSON object; 415 when it is not JSON, 400 when it does not parse or is not an object, 413 when too large. */
export async function readJsonObject(ctx: Context): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json', '+json')) {
    throw new HttpError(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).');
  }
  const body = (await readBody(ctx, JSON_LIMIT_BYTES)).toString('utf8');
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Reads an application/json object body into ctx.state.json. */
export async function parseJson(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  ctx.state.json = await readJsonObject(ctx);
  await next();
}

import type { Context } from 'koa';
import { HttpError } from './http-error.ts';

/** The request body, refused with 413 once it is larger than `limitBytes` (declared or sent). */
export async function readBody(ctx: Context, limitBytes: number, what = 'The request body'): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) throw new HttpError(413, 'payload_too_large', `${what} is too large.`);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) throw new HttpError(413, 'payload_too_large', `${what} is too large.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

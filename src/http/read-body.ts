import type { Context } from 'koa';
import { HttpError } from './http-error.ts';

/** The request body, refused with 413 beyond `limitBytes` (declared or actually sent). */
export async function readBody(ctx: Context, limitBytes: number, tooLarge = 'The request body is too large.'): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) throw new HttpError(413, 'payload_too_large', tooLarge);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limitBytes) throw new HttpError(413, 'payload_too_large', tooLarge);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

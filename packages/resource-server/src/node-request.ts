import type { IncomingMessage } from 'node:http';
import type { IncomingRequest } from './types.ts';

/** A node:http request (or Express/Koa's `req`) as the kit reads it; `origin` is this API's public origin. */
export function fromNodeRequest(request: IncomingMessage, origin: string): IncomingRequest {
  return { method: request.method ?? 'GET', url: new URL(request.url ?? '/', origin).href, headers: request.headers };
}

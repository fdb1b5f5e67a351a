import { hash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ifNoneMatchHits } from './if-none-match.ts';

/**
 * A public JSON document oidc-provider builds the same way for every request (discovery, the
 * JWKS), served from bytes serialised once.
 */
export interface PublishedDocument {
  paths: readonly string[];
  maxAgeSeconds: number;
  /**
   * Everything the body depends on, compared by identity (`Object.is`): the provider instance
   * (its configuration and keys), the resource metadata links, ... When any element differs from
   * what the cached body was built from, the next request builds it again through oidc-provider.
   */
  sources(): readonly unknown[] | Promise<readonly unknown[]>;
}

export interface Serialised {
  sources: readonly unknown[];
  body: Buffer;
  contentType: string;
  etag: string;
}

const sameSources = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((value, index) => Object.is(value, b[index]));

/** A strong entity tag of the bytes: the same body gets the same tag on every node. */
const etagOf = (body: Buffer) => `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;

/** A document's current bytes, as the cache holds them, with the document they belong to. */
export interface CurrentDocument {
  document: PublishedDocument;
  serialised: Serialised;
}

/**
 * Serves each document from its pre-serialised body with a strong ETag, `Cache-Control: public,
 * max-age`, and `304 Not Modified` when `If-None-Match` names the current tag, before
 * oidc-provider runs. The first request after a source changed goes through oidc-provider (and
 * whatever middleware decorates its answer); its 200 body is serialised, tagged and kept. One body
 * per path and scheme (the host is pinned to the issuer's, so the scheme is all a URL in it can
 * vary by). CORS headers are oidc-provider's own for these routes: `Vary: Origin` and the origin
 * echoed (or `*`). `current` lets a request be answered from the same bytes before the Koa
 * middleware (published-ahead.ts).
 */
export class PublishedDocuments {
  readonly #byPath: ReadonlyMap<string, PublishedDocument>;
  readonly #cache = new Map<string, Serialised>();

  constructor(documents: readonly PublishedDocument[]) {
    this.#byPath = new Map(documents.flatMap((document) => document.paths.map((path) => [path, document] as const)));
  }

  publishes(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** The bytes to answer `path` with over `protocol`, when they are built and their sources have not changed. */
  async current(protocol: string, path: string): Promise<CurrentDocument | undefined> {
    const document = this.#byPath.get(path);
    const cached = document && this.#cache.get(`${protocol} ${path}`);
    if (!document || !cached) return undefined;
    return sameSources(cached.sources, [protocol, ...await document.sources()]) ? { document, serialised: cached } : undefined;
  }

  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const document = (ctx.method === 'GET' || ctx.method === 'HEAD') ? this.#byPath.get(ctx.path) : undefined;
      if (!document) {
        await next();
        return;
      }
      const sources = [ctx.protocol, ...await document.sources()];
      const key = `${ctx.protocol} ${ctx.path}`;
      const cached = this.#cache.get(key);
      if (cached && sameSources(cached.sources, sources)) {
        answer(ctx, document, cached);
        return;
      }
      await next();
      const built = ctx.body;
      if (ctx.status !== 200 || built === null || typeof built !== 'object' || Buffer.isBuffer(built)) return;
      // Built after `sources` was read: at worst newer than them, so the next request rebuilds it.
      const body = Buffer.from(JSON.stringify(built));
      const serialised = { sources, body, contentType: ctx.response.get('Content-Type') as string || 'application/json; charset=utf-8', etag: etagOf(body) };
      this.#cache.set(key, serialised);
      answer(ctx, document, serialised);
    };
  }
}

function answer(ctx: Context, document: PublishedDocument, serialised: Serialised): void {
  ctx.vary('Origin');
  ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
  ctx.set('ETag', serialised.etag);
  ctx.set('Cache-Control', `public, max-age=${document.maxAgeSeconds}`);
  if (ifNoneMatchHits(ctx.get('If-None-Match'), serialised.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.type = serialised.contentType;
  ctx.body = serialised.body;
}

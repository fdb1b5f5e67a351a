import { createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { JWK } from 'jose';

export interface JwksCacheState {
  etag: string;
  maxAgeSeconds: number;
}

/** A strong ETag for a published key set: the same keys in the same order, the same tag, on every node. */
export function jwksEtag(publicKeys: readonly JWK[]): string {
  return `"${createHash('sha256').update(JSON.stringify(publicKeys)).digest('base64url').slice(0, 27)}"`;
}

/**
 * The JWKS may be cached (for less than the pre-publication window, so caches see a new key before
 * it signs) and revalidated with its ETag; an unchanged key set answers 304 without a body.
 */
export function jwksCaching(state: () => JwksCacheState) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path !== '/jwks' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    const { etag, maxAgeSeconds } = state();
    const cacheControl = `public, max-age=${maxAgeSeconds}`;
    const offered = ctx.get('if-none-match');
    if (offered && offered.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      ctx.status = 304;
      ctx.set({ ETag: etag, 'Cache-Control': cacheControl });
      return;
    }
    await next();
    if (ctx.status === 200) ctx.set({ ETag: etag, 'Cache-Control': cacheControl });
  };
}

import type { Context, Next } from 'koa';
import type { AssetFile } from './branding.ts';

/** Serves Keyline's stylesheet, script and images, and the operator's brand files, from memory. */
export function staticAssets(assets: AssetFile[]) {
  const byPath = new Map(assets.map((asset) => {
    const [path, query] = asset.path.split('?');
    return [path!, { asset, version: new URLSearchParams(query).get('v') }];
  }));
  return async (ctx: Context, next: Next): Promise<void> => {
    const entry = ctx.method === 'GET' || ctx.method === 'HEAD' ? byPath.get(ctx.path) : undefined;
    if (!entry) {
      await next();
      return;
    }
    ctx.type = entry.asset.contentType;
    // The pages link each asset with its content hash, so that URL can be cached for good.
    ctx.set('Cache-Control', ctx.query.v === entry.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    ctx.body = entry.asset.body;
  };
}

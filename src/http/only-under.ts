import type { Context, Next } from 'koa';

type AnyMiddleware = (ctx: never, next: Next) => unknown;

/**
 * Runs a router only for the paths it serves (`/account` and below, or exactly `/`), so the
 * protocol endpoints do not pay for every page router's route matching on their way to
 * oidc-provider. `exact` is for a router of one path.
 */
export function onlyUnder<M extends AnyMiddleware>(prefix: string, middleware: M, { exact = false } = {}): M {
  const below = `${prefix}/`;
  const run = middleware as unknown as (ctx: Context, next: Next) => unknown;
  const guarded = (ctx: Context, next: Next) => (ctx.path === prefix || (!exact && ctx.path.startsWith(below)) ? run(ctx, next) : next());
  return guarded as unknown as M;
}

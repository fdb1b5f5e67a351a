import compose from 'koa-compose';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';

/**
 * Runs oidc-provider's middleware inside our Koa app, on our context, so our request id,
 * headers and error mapping wrap the protocol endpoints too. Requests it does not route fall through.
 */
export function mountProvider(provider: Provider) {
  const run = compose(provider.middleware as Array<compose.Middleware<Context>>);
  return (ctx: Context, next: Next) => run(ctx, next);
}

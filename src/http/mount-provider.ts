import compose from 'koa-compose';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { ProviderHost } from '../oidc/provider-host.ts';

/**
 * Runs oidc-provider's middleware inside our Koa app, on our context, so our request id,
 * headers and error mapping wrap the protocol endpoints too. Requests it does not route fall through.
 * It follows the host's current provider, which changes when the signing keys do.
 */
export function mountProvider(host: ProviderHost) {
  let mounted: Provider | undefined;
  let run: compose.ComposedMiddleware<Context> | undefined;
  return (ctx: Context, next: Next) => {
    const provider = host.current;
    if (provider !== mounted || !run) {
      mounted = provider;
      run = compose(provider.middleware as Array<compose.Middleware<Context>>);
    }
    return run(ctx, next);
  };
}

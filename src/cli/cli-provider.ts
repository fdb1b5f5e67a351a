import type Provider from 'oidc-provider';
import { VIEWS_DIRECTORY } from '../app.ts';
import { Pages } from '../http/pages.ts';
import { createLogger } from '../logger.ts';
import { resolveCookieKeys, storedSecret } from '../oidc/cookie-keys.ts';
import { createProvider } from '../oidc/create-provider.ts';
import { ensureSigningKeys } from '../oidc/signing-keys.ts';
import type { CliContext } from './cli-context.ts';

/** The same oidc-provider configuration the server runs, so the CLI accepts exactly what the server will. */
export async function cliProvider(cli: CliContext): Promise<Provider> {
  const store = await cli.store();
  const logger = createLogger('silent');
  return createProvider({
    config: cli.config,
    store,
    logger,
    pages: new Pages(VIEWS_DIRECTORY),
    signingKeys: await ensureSigningKeys(store),
    cookieKeys: await resolveCookieKeys(cli.config, store, logger),
    dpopNonceSecret: await storedSecret(store, 'dpop-nonce-secret'),
  });
}

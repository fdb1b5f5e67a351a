import type Provider from 'oidc-provider';
import { VIEWS_DIRECTORY } from '../app.ts';
import { Pages } from '../http/pages.ts';
import { resolveCookieKeys, storedSecret } from '../oidc/cookie-keys.ts';
import { createProvider } from '../oidc/create-provider.ts';
import type { CliContext } from './cli-context.ts';

/** The same oidc-provider configuration the server runs, so the CLI accepts exactly what the server will. */
export async function cliProvider(cli: CliContext): Promise<Provider> {
  const store = await cli.store();
  const keys = await cli.signingKeys();
  await keys.refresh();
  return createProvider({
    config: cli.config,
    store,
    logger: cli.logger,
    pages: new Pages(VIEWS_DIRECTORY),
    jwks: keys.providerJwks(),
    cookieKeys: await resolveCookieKeys(cli.config, await cli.secrets(), cli.logger),
    dpopNonceSecret: await storedSecret(await cli.secrets(), 'dpop-nonce-secret'),
  });
}

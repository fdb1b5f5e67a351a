import type Provider from 'oidc-provider';
import { resolveCookieKeys, storedSecret } from '../oidc/cookie-keys.ts';
import { createProvider } from '../oidc/create-provider.ts';
import { createPageKit } from '../pages/page-kit.ts';
import type { CliContext } from './cli-context.ts';

/** The same oidc-provider configuration the server runs, so the CLI accepts exactly what the server will. */
export async function cliProvider(cli: CliContext): Promise<Provider> {
  const store = await cli.store();
  const keys = await cli.signingKeys();
  await keys.refresh();
  const { pages, i18n } = createPageKit(cli.config);
  const secrets = await cli.secrets();
  return createProvider({
    config: cli.config,
    store,
    logger: cli.logger,
    pages,
    uiLocales: i18n.locales,
    resources: await cli.resources(),
    jwks: keys.providerJwks(),
    cookieKeys: await resolveCookieKeys(cli.config, secrets, cli.logger),
    dpopNonceSecret: await storedSecret(secrets, 'dpop-nonce-secret'),
  });
}

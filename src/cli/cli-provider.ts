import type Provider from 'oidc-provider';
import { createLogger } from '../logger.ts';
import { resolveCookieKeys } from '../oidc/cookie-keys.ts';
import { createProvider } from '../oidc/create-provider.ts';
import { ensureSigningKeys } from '../oidc/signing-keys.ts';
import { createPageKit } from '../pages/page-kit.ts';
import type { CliContext } from './cli-context.ts';

/** The same oidc-provider configuration the server runs, so the CLI accepts exactly what the server will. */
export async function cliProvider(cli: CliContext): Promise<Provider> {
  const store = await cli.store();
  const logger = createLogger('silent');
  const { pages, i18n } = createPageKit(cli.config);
  return createProvider({
    config: cli.config,
    store,
    logger,
    pages,
    uiLocales: i18n.locales,
    resources: await cli.resources(),
    signingKeys: await ensureSigningKeys(store),
    cookieKeys: await resolveCookieKeys(cli.config, store, logger),
  });
}

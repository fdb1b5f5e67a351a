import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { AccountsService } from './accounts/accounts-service.ts';
import { CredentialThrottle } from './accounts/throttle/credential-throttle.ts';
import { hashForUnknownAccounts } from './accounts/password-hashing.ts';
import type { Config } from './config/schema.ts';
import { errorHandler } from './http/error-handler.ts';
import { Metrics } from './http/metrics.ts';
import { mountProvider } from './http/mount-provider.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { Pages } from './http/pages.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './logger.ts';
import { resolveCookieKeys, storedSecret } from './oidc/cookie-keys.ts';
import { createProvider } from './oidc/create-provider.ts';
import { endSessionNamesItsClient } from './oidc/conformance/end-session-names-its-client.ts';
import { pinHostToIssuer } from './oidc/conformance/pin-host-to-issuer.ts';
import { postAsGet } from './oidc/conformance/post-as-get.ts';
import { requireVisibleState } from './oidc/conformance/require-visible-state.ts';
import { strictErrorAnswers } from './oidc/conformance/strict-error-answers.ts';
import { hideSecretHashes } from './oidc/dynamic-registration/hide-secret-hashes.ts';
import { interactionRoutes } from './oidc/interactions/interaction-routes.ts';
import { logoutRoutes } from './oidc/logout-routes.ts';
import { ensureSigningKeys } from './oidc/signing-keys.ts';
import type { Store } from './store/store.ts';

export const VIEWS_DIRECTORY = fileURLToPath(new URL('../views', import.meta.url));

export interface AppDependencies {
  config: Config;
  store: Store;
  logger: Logger;
}

export interface KeylineApp {
  app: Koa;
  provider: Provider;
  accounts: AccountsService;
  /** Stops background work; the caller closes the server and the store it opened. */
  close(): Promise<void>;
}

/** The composition root: everything the process serves is built here from its dependencies. */
export async function createApp({ config, store, logger }: AppDependencies): Promise<KeylineApp> {
  const signingKeys = await ensureSigningKeys(store);
  const cookieKeys = await resolveCookieKeys(config, store, logger);
  const csrfSecret = await storedSecret(store, 'csrf-secret');
  await hashForUnknownAccounts();
  const pages = new Pages(VIEWS_DIRECTORY);
  const credentialThrottle = new CredentialThrottle(store.counters, config.login);
  const accounts = new AccountsService(store, credentialThrottle);
  const dpopNonceSecret = await storedSecret(store, 'dpop-nonce-secret');
  const provider = createProvider({ config, store, logger, pages, signingKeys, cookieKeys, dpopNonceSecret });

  const app = new Koa({ proxy: config.proxy, keys: cookieKeys });
  app.silent = true;
  const metrics = new Metrics();
  app.use(pinHostToIssuer(config.issuer));
  app.use(requestContext(logger));
  app.use(metrics.middleware());
  app.use(securityHeaders);
  app.use(errorHandler(pages));
  app.use(opsRoutes(store, metrics).routes());
  app.use(postAsGet);
  app.use(requireVisibleState);
  app.use(endSessionNamesItsClient);
  app.use(interactionRoutes({ provider, store, accounts, credentialThrottle, pages, csrfSecret }).routes());
  app.use(logoutRoutes(provider, pages).routes());
  app.use(strictErrorAnswers(config.issuer));
  app.use(hideSecretHashes);
  app.use(mountProvider(provider));

  return { app, provider, accounts, close: async () => {} };
}

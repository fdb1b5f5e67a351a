import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { AccountsService } from './accounts/accounts-service.ts';
import { LoginThrottle } from './accounts/login-throttle.ts';
import { hashForUnknownAccounts } from './accounts/password-hashing.ts';
import { SIGNING_ALGS, type Config } from './config/schema.ts';
import { errorHandler } from './http/error-handler.ts';
import { jwksCaching, jwksEtag, type JwksCacheState } from './http/jwks-caching.ts';
import { Metrics } from './http/metrics.ts';
import { mountProvider } from './http/mount-provider.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { Pages } from './http/pages.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { openSecretCipher } from './keys/open-secret-cipher.ts';
import { SealedSecrets } from './keys/sealed-secrets.ts';
import type { SecretCipher } from './keys/secret-cipher.ts';
import { SigningKeyManager, type Clock } from './keys/signing-key-manager.ts';
import { publicJwkOf } from './keys/signing-key-material.ts';
import { jwksMaxAgeSeconds, signingKeyPolicy } from './keys/signing-key-policy.ts';
import type { Logger } from './logger.ts';
import { resolveCookieKeys, storedSecret } from './oidc/cookie-keys.ts';
import { createProvider } from './oidc/create-provider.ts';
import { interactionRoutes } from './oidc/interactions/interaction-routes.ts';
import { ProviderHost } from './oidc/provider-host.ts';
import type { Store } from './store/store.ts';

export const VIEWS_DIRECTORY = fileURLToPath(new URL('../views', import.meta.url));

export interface AppDependencies {
  config: Config;
  store: Store;
  logger: Logger;
  /** The key-encryption keys; resolved from config (or a development key) when not given. */
  secretCipher?: SecretCipher;
  /** Time for the signing-key schedule; tests pass a fake one. */
  clock?: Clock;
}

export interface KeylineApp {
  app: Koa;
  /** Stands for the current oidc-provider instance, which is rebuilt when the signing keys change. */
  provider: Provider;
  accounts: AccountsService;
  keys: SigningKeyManager;
  /** Stops background work; the caller closes the server and the store it opened. */
  close(): Promise<void>;
}

/** The composition root: everything the process serves is built here from its dependencies. */
export async function createApp({ config, store, logger, secretCipher, clock }: AppDependencies): Promise<KeylineApp> {
  const cipher = secretCipher ?? openSecretCipher(config, logger);
  const secrets = new SealedSecrets(store.secrets, cipher);
  const keys = new SigningKeyManager({ store, cipher, policy: signingKeyPolicy(config), algorithms: SIGNING_ALGS, logger, clock });
  await keys.refresh();
  const cookieKeys = await resolveCookieKeys(config, secrets, logger);
  const csrfSecret = await storedSecret(secrets, 'csrf-secret');
  await hashForUnknownAccounts();
  const pages = new Pages(VIEWS_DIRECTORY);
  const accounts = new AccountsService(store);

  const buildProvider = () => createProvider({ config, store, logger, pages, jwks: keys.providerJwks(), cookieKeys });
  const host = new ProviderHost(buildProvider());
  const jwksState = (): JwksCacheState => ({
    etag: jwksEtag(keys.providerJwks().keys.map(publicJwkOf)),
    maxAgeSeconds: jwksMaxAgeSeconds(config),
  });
  let jwksCache = jwksState();
  // oidc-provider takes its keys at construction: a changed key set means a new provider.
  keys.onChange((view) => {
    host.replace(buildProvider());
    jwksCache = jwksState();
    logger.info({ event: 'keys.changed', signing: [...view.signing.values()].map((key) => key.kid), published: view.published.length }, 'signing keys changed; now serving the new key set');
  });
  keys.startChecking(config.keys.checkInterval * 1000);

  const app = new Koa({ proxy: config.proxy, keys: cookieKeys });
  app.silent = true;
  const metrics = new Metrics();
  app.use(requestContext(logger));
  app.use(metrics.middleware());
  app.use(securityHeaders);
  app.use(errorHandler(pages));
  app.use(opsRoutes(store, metrics).routes());
  const loginThrottle = new LoginThrottle(store.counters, config.login);
  app.use(interactionRoutes({ provider: host.provider, store, accounts, loginThrottle, pages, csrfSecret }).routes());
  app.use(jwksCaching(() => jwksCache));
  app.use(mountProvider(host));

  return {
    app,
    provider: host.provider,
    accounts,
    keys,
    close: async () => {
      keys.stop();
    },
  };
}

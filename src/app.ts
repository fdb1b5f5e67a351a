import Koa from 'koa';
import type Provider from 'oidc-provider';
import { AccountsService } from './accounts/accounts-service.ts';
import { LoginThrottle } from './accounts/login-throttle.ts';
import { hashForUnknownAccounts } from './accounts/password-hashing.ts';
import type { Config } from './config/schema.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { Metrics } from './http/metrics.ts';
import { mountProvider } from './http/mount-provider.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { requestLocale } from './i18n/request-locale.ts';
import type { Logger } from './logger.ts';
import { resolveCookieKeys, storedSecret } from './oidc/cookie-keys.ts';
import { createProvider } from './oidc/create-provider.ts';
import { interactionRoutes } from './oidc/interactions/interaction-routes.ts';
import { ResourceRegistry } from './oidc/resource-registry.ts';
import { ensureSigningKeys } from './oidc/signing-keys.ts';
import { createPageKit } from './pages/page-kit.ts';
import { startPage } from './pages/start-page.ts';
import { staticAssets } from './pages/static-assets.ts';
import type { Store } from './store/store.ts';

export interface AppDependencies {
  config: Config;
  store: Store;
  logger: Logger;
}

export interface KeylineApp {
  app: Koa;
  provider: Provider;
  accounts: AccountsService;
  resources: ResourceRegistry;
  /** Stops background work; the caller closes the server and the store it opened. */
  close(): Promise<void>;
}

/** The composition root: everything the process serves is built here from its dependencies. */
export async function createApp({ config, store, logger }: AppDependencies): Promise<KeylineApp> {
  const signingKeys = await ensureSigningKeys(store);
  const cookieKeys = await resolveCookieKeys(config, store, logger);
  const csrfSecret = await storedSecret(store, 'csrf-secret');
  await hashForUnknownAccounts();
  const { i18n, pages, csp, assets } = createPageKit(config);
  pages.compileAll();
  const accounts = new AccountsService(store);
  const resources = new ResourceRegistry(config.resources, store.resources);
  const provider = createProvider({ config, store, logger, pages, uiLocales: i18n.locales, resources, signingKeys, cookieKeys });

  const app = new Koa({ proxy: config.proxy, keys: cookieKeys });
  app.silent = true;
  const metrics = new Metrics();
  app.use(requestContext(logger));
  app.use(metrics.middleware());
  app.use(securityHeaders(csp));
  app.use(requestLocale(i18n));
  app.use(errorHandler(pages));
  app.use(opsRoutes(store, metrics).routes());
  app.use(staticAssets(assets));
  app.use(startPage(pages).routes());
  const loginThrottle = new LoginThrottle(store.counters, config.login);
  app.use(interactionRoutes({ provider, store, accounts, resources, loginThrottle, pages, csrfSecret }).routes());
  app.use(mountProvider(provider));
  app.use(notFound);

  return { app, provider, accounts, resources, close: async () => {} };
}

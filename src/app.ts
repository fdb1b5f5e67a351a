import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { AccountsService } from './accounts/accounts-service.ts';
import { adminApi } from './admin-api/admin-api.ts';
import { sessionEndedHandler } from './accounts/session-ending-deliveries.ts';
import { CredentialThrottle } from './accounts/throttle/credential-throttle.ts';
import { Passkeys, relyingPartyOf } from './accounts/factors/passkeys.ts';
import type { FederationDeps } from './federation/federation-deps.ts';
import { upstreamLogoutRoutes } from './federation/upstream-logout-routes.ts';
import { continueLogoutAtUpstreams } from './federation/continue-upstream-logout.ts';
import { UpstreamKeys } from './federation/upstream-keys.ts';
import { UpstreamDirectory } from './federation/upstream-directory.ts';
import { PendingUpstreamLinks } from './federation/pending-upstream-links.ts';
import { PendingUpstreamSteps } from './federation/pending-upstream-steps.ts';
import { UpstreamAnswers } from './federation/upstream-answers.ts';
import { upstreamCallbackRoutes } from './federation/upstream-callback.ts';
import { LdapConnector } from './federation/connectors/ldap.ts';
import { OidcConnector } from './federation/connectors/oidc.ts';
import { OAuth2Connector } from './federation/connectors/oauth2.ts';
import type { UpstreamConnector } from './federation/upstream.ts';
import { RecoveryCodeService } from './accounts/factors/recovery-code-service.ts';
import { TotpFactors } from './accounts/factors/totp-factors.ts';
import { hashForUnknownAccounts } from './accounts/password-hashing.ts';
import { PendingSignUps } from './accounts/self-service/pending-sign-ups.ts';
import { createSelfService } from './accounts/self-service/self-service.ts';
import { createMailKit } from './mail/mail-kit.ts';
import { selfServiceRoutes } from './self-service/self-service-routes.ts';
import { AuditSealer } from './audit/audit-sealer.ts';
import { SecurityEvents } from './audit/security-events.ts';
import { SIGNING_ALGS, type Config } from './config/schema.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { metricsOnlyApp } from './http/metrics-endpoint.ts';
import { Metrics } from './http/metrics.ts';
import { mountProvider } from './http/mount-provider.ts';
import { onlyUnder } from './http/only-under.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { answerPublishedAhead } from './http/published-ahead.ts';
import { PublishedDocuments } from './http/published-documents.ts';
import { awaitSecurityEvents } from './http/pending-security-events.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createTracing, type Tracing } from './http/tracing.ts';
import { requestLocale } from './i18n/request-locale.ts';
import { openSecretCipher } from './keys/open-secret-cipher.ts';
import { SealedSecrets } from './keys/sealed-secrets.ts';
import type { SecretCipher } from './keys/secret-cipher.ts';
import { SigningKeyManager, type Clock } from './keys/signing-key-manager.ts';
import { jwksMaxAgeSeconds, signingKeyPolicy } from './keys/signing-key-policy.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { Outbox } from './jobs/outbox.ts';
import type { Logger } from './logger.ts';
import { backchannelLogoutHandler } from './oidc/backchannel-logout/deliver-logout-token.ts';
import { outboundFetch } from './outbound/outbound-fetch.ts';
import { resolveCookieKeys, storedSecret } from './oidc/cookie-keys.ts';
import { createProvider } from './oidc/create-provider.ts';
import { endSessionNamesItsClient } from './oidc/conformance/end-session-names-its-client.ts';
import { issuerSchemeOf, pinHostToIssuer } from './oidc/conformance/pin-host-to-issuer.ts';
import { canonicalisePath } from './http/canonical-provider-path.ts';
import { pinClientAddress } from './http/client-address.ts';
import { postAsGet } from './oidc/conformance/post-as-get.ts';
import { refusedRequestObjectMode } from './oidc/conformance/refused-request-object-mode.ts';
import { requireVisibleState } from './oidc/conformance/require-visible-state.ts';
import { strictErrorAnswers } from './oidc/conformance/strict-error-answers.ts';
import { hideSecretHashes } from './oidc/dynamic-registration/hide-secret-hashes.ts';
import type { SecondFactors } from './oidc/interactions/interaction-context.ts';
import { accountRoutes } from './account/account-routes.ts';
import { linkProtectedResources } from './oidc/discovery/protected-resource-links.ts';
import { enforcePollingInterval } from './oidc/device-flow/polling-interval.ts';
import { takePrefilledUserCode } from './oidc/device-flow/prefilled-user-code.ts';
import { interactionRoutes } from './oidc/interactions/interaction-routes.ts';
import { SignInProgressStore } from './oidc/interactions/sign-in-progress.ts';
import { jwtAccessTokenStateOf } from './oidc/jwt-access-tokens/structured-token-routes.ts';
import { logoutRoutes } from './oidc/logout-routes.ts';
import { ProviderHost } from './oidc/provider-host.ts';
import { recordProviderSecurityEvents } from './oidc/provider-security-events.ts';
import { refuseStoredClaimScopeClashes } from './oidc/resource-administration.ts';
import { ResourceRegistry } from './oidc/resource-registry.ts';
import { createPageKit } from './pages/page-kit.ts';
import { languagePicker } from './pages/language-picker.ts';
import { startPage } from './pages/start-page.ts';
import { staticAssets } from './pages/static-assets.ts';
import { claimsChangeAnnouncementHandler } from './authorization/claims-change-announcements.ts';
import { pushDeliveryHandler } from './signals/push-delivery.ts';
import { SecuritySignals } from './signals/security-signals.ts';
import { signalFanOutHandler } from './signals/signal-fan-out.ts';
import { StreamDelivery } from './signals/stream-delivery.ts';
import { signalsRoutes } from './signals/stream-management-routes.ts';
import { builtInResources } from './oidc/built-in-resources.ts';
import { instrumentStore } from './store/instrumented-store.ts';
import type { Store, UpstreamType } from './store/store.ts';

export interface AppDependencies {
  config: Config;
  store: Store;
  logger: Logger;
  /** The key-encryption keys; resolved from config (or a development key) when not given. */
  secretCipher?: SecretCipher;
  /** Time for the signing-key schedule and the audit trail; tests pass a fake one. */
  clock?: Clock;
  /** Tracing; by default from the OTEL_* environment (off without an OTLP endpoint). */
  tracing?: Tracing;
}

export interface KeylineApp {
  app: Koa;
  /** What the HTTP server runs: the Koa app, with discovery and the JWKS answered ahead of it from their bytes. */
  requestListener: RequestListener;
  /** Serves /metrics alone, when `metrics.port` puts it on a port of its own; main.ts listens on it. */
  metricsApp: Koa | undefined;
  /** Stands for the current oidc-provider instance, which is rebuilt when the signing keys change. */
  provider: Provider;
  accounts: AccountsService;
  keys: SigningKeyManager;
  /** The one call for security events: audit trail, log line and counter. */
  securityEvents: SecurityEvents;
  auditSealer: AuditSealer;
  metrics: Metrics;
  resources: ResourceRegistry;
  /** THE way to have something delivered later (mail, logout tokens, signals): a job in the store. */
  outbox: Outbox;
  /** Works the outbox on this node. */
  jobRunner: JobRunner;
  /** Shared-signals events about accounts (credential changes, disable/enable). */
  signals: SecuritySignals;
  /** The process is shutting down: /readyz answers 503 from now on, so no probe calls it ready. */
  drainBegins(): void;
  /** Stops background work; the caller closes the server and the store it opened. */
  close(): Promise<void>;
}

/** The composition root: everything the process serves is built here from its dependencies. */
export async function createApp(deps: AppDependencies): Promise<KeylineApp> {
  const { config, logger, clock } = deps;
  const tracing = deps.tracing ?? await createTracing();
  const metrics = new Metrics();
  const store = instrumentStore(deps.store, metrics, tracing);
  const cipher = deps.secretCipher ?? openSecretCipher(config, logger);
  const secrets = new SealedSecrets(store.secrets, cipher);
  const securityEvents = new SecurityEvents(store.audit, logger, metrics, clock);
  const keys = new SigningKeyManager({ store, cipher, policy: signingKeyPolicy(config), algorithms: SIGNING_ALGS, logger, clock });
  await keys.refresh();
  const cookieKeys = await resolveCookieKeys(config, secrets, logger);
  const csrfSecret = await storedSecret(secrets, 'csrf-secret');
  await hashForUnknownAccounts();
  const { i18n, pages, csp, assets, views } = createPageKit(config);
  pages.compileAll();
  const credentialThrottle = new CredentialThrottle(store.counters, config.login);
  // The runner is built last (its handlers need the keys and the provider); jobs enqueued on this
  // node before then wait for its first look.
  let jobRunner: JobRunner | undefined;
  const outbox = new Outbox(store.jobs, { maxAttempts: config.jobs.maxAttempts, enqueued: () => jobRunner?.nudge() });
  const signals = new SecuritySignals(outbox);
  const accounts = new AccountsService(store, credentialThrottle, (name, work) => tracing.inSpan(name, {}, work), outbox);
  await refuseStoredClaimScopeClashes(store, Object.keys(config.claims));
  const resources = new ResourceRegistry(config.resources, store.resources, builtInResources(config));
  const dpopNonceSecret = await storedSecret(secrets, 'dpop-nonce-secret');
  const secondFactors: SecondFactors = {
    totp: new TotpFactors(store, cipher),
    passkeys: new Passkeys(store, relyingPartyOf(config.issuer, config.branding.productName), config.ttl.interaction),
    recoveryCodes: new RecoveryCodeService(store),
    progress: new SignInProgressStore(store, config.ttl.interaction),
    sealer: cipher,
    everyoneNeedsMfa: config.mfa.required,
    issuerName: config.branding.productName,
  };

  // Mail and the flows that need it (reset, verification, sign-up): only with an SMTP server.
  const mail = createMailKit({ config, views, i18n, outbox, sealer: cipher });
  const pendingSignUps = new PendingSignUps(store);
  const selfService = createSelfService({
    config, store, accounts, credentialThrottle, securityEvents, totp: secondFactors.totp, recoveryCodes: secondFactors.recoveryCodes,
    pending: pendingSignUps, mailer: mail?.mailer,
  });

  const upstreamDirectory = new UpstreamDirectory(store.upstreams);
  const upstreamKeys = new UpstreamKeys(outboundFetch({ allowPrivateNetworks: config.outbound.allowPrivateNetworks }));
  const buildProvider = () => {
    const provider = createProvider({
      config, store, logger, pages, jwks: keys.providerJwks(), uiLocales: i18n.locales, resources, cookieKeys, dpopNonceSecret,
      sessionEndings: accounts.sessionEndings, securityEvents,
    });
    recordProviderSecurityEvents(provider, securityEvents);
    continueLogoutAtUpstreams(provider, { store, directory: upstreamDirectory, keys: upstreamKeys, issuer: config.issuer, logger });
    return provider;
  };
  const host = new ProviderHost(buildProvider());
  // oidc-provider takes its keys at construction: a changed key set means a new provider.
  keys.onChange((view) => {
    host.replace(buildProvider());
    logger.info({ event: 'keys.changed', signing: [...view.signing.values()].map((key) => key.kid), published: view.published.length }, 'signing keys changed; now serving the new key set');
  });
  keys.startChecking(config.keys.checkInterval * 1000);

  const auditSealer = new AuditSealer({
    store, logger, clock, signingKey: () => keys.signingJwk(), retentionDays: config.audit.retentionDays, checkpointEveryMs: config.audit.checkpointEvery * 1000,
  });
  auditSealer.start(config.audit.sealInterval * 1000);

  const callClients = outboundFetch({ allowPrivateNetworks: config.outbound.allowPrivateNetworks });
  const streamDelivery = new StreamDelivery(store.streams, outbox);
  jobRunner = new JobRunner({
    jobs: store.jobs,
    logger,
    config: config.jobs,
    observer: metrics,
    handlers: [
      sessionEndedHandler({ clients: store.clients, outbox, signals }),
      claimsChangeAnnouncementHandler({ store, issuer: config.issuer, signals }),
      backchannelLogoutHandler({ issuer: config.issuer, clients: store.clients, signingKey: (alg) => keys.signingJwk(alg), fetch: callClients, logger }),
      signalFanOutHandler({
        issuer: config.issuer, config: config.signals, streams: store.streams, accounts: store.accounts, clients: store.clients, delivery: streamDelivery,
      }),
      pushDeliveryHandler({ streams: store.streams, delivery: streamDelivery, cipher, signingKey: () => keys.signingJwk('RS256'), fetch: callClients, logger }),
      ...(mail ? [mail.handler] : []),
    ],
  });
  jobRunner.start();

  // The provider instance stands for its configuration and keys: a new key set is a new instance.
  const published = new PublishedDocuments([
    { paths: ['/jwks'], maxAgeSeconds: jwksMaxAgeSeconds(config), sources: () => [host.current] },
    {
      paths: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
      // Changes with a deployment or a resource's metadata link: five minutes is soon enough for either.
      maxAgeSeconds: 300,
      sources: async () => [host.current, await resources.metadataLinks()],
    },
  ]);
  // Behind the proxies, X-Forwarded-For's entries from the right are theirs: the client is the
  // entry `trustedProxyHops` from the right (client-address.ts).
  const app = new Koa({ proxy: config.proxy, maxIpsCount: config.proxy ? config.trustedProxyHops : 0, keys: cookieKeys });
  app.silent = true;
  app.use(pinHostToIssuer(config.issuer));
  app.use(pinClientAddress);
  app.use(canonicalisePath);
  const traceRequests = tracing.middleware();
  if (traceRequests) app.use(traceRequests);
  app.use(requestContext(logger, requestLocale(i18n), tracing.traceId));
  app.use(metrics.middleware());
  app.use(securityHeaders(csp));
  app.use(errorHandler(pages));
  const separateMetricsPort = config.metrics.port !== undefined;
  // On the public port only behind a token: anonymous metrics belong on metrics.port (loopback by default).
  const metricsOnMainPort = !separateMetricsPort && config.metrics.token !== undefined;
  let draining = false;
  app.use(opsRoutes(store, metrics, { onMainPort: metricsOnMainPort, token: config.metrics.token }, () => draining).routes());
  app.use(adminApi({
    issuer: config.issuer, store, accounts, provider: host.provider, resources, keys, securityEvents, signals, sealer: cipher,
    passwordReset: selfService.canRequestReset ? selfService.reset : undefined, defaultLocale: i18n.defaultLocale,
    allowPrivateNetworks: config.outbound.allowPrivateNetworks, attributes: config.attributes, claimScopes: Object.keys(config.claims),
    judgeAccessToken: (token) => jwtAccessTokenStateOf(host.current).judge(token),
  }));
  app.use(published.middleware());
  app.use(staticAssets(assets));
  app.use(onlyUnder('/', startPage(pages, store.clients).routes(), { exact: true }));
  app.use(onlyUnder('/language', languagePicker({ issuer: config.issuer, locales: i18n.locales }).routes(), { exact: true }));
  app.use(postAsGet);
  app.use(refusedRequestObjectMode);
  app.use(requireVisibleState);
  app.use(endSessionNamesItsClient);
  const declarations = { attributes: config.attributes, claims: config.claims };
  const federation: FederationDeps = {
    directory: upstreamDirectory,
    connectors: new Map<UpstreamType, UpstreamConnector>([
      ['ldap', new LdapConnector({ sealer: cipher })],
      ['oidc', new OidcConnector({ fetch: callClients, sealer: cipher, keys: upstreamKeys })],
      ['oauth2', new OAuth2Connector({ fetch: callClients, sealer: cipher })],
    ]),
    pendingSteps: new PendingUpstreamSteps(store, config.ttl.interaction), answers: new UpstreamAnswers(store, config.ttl.interaction), issuer: config.issuer,
    pendingLinks: new PendingUpstreamLinks(store, config.ttl.interaction),
  };
  app.use(onlyUnder('/federation', upstreamCallbackRoutes(federation).routes()));
  app.use(onlyUnder('/federation', upstreamLogoutRoutes({
    store, directory: upstreamDirectory, keys: upstreamKeys, endings: accounts.sessionEndings, sealer: cipher, issuer: config.issuer,
  }).routes()));
  app.use(onlyUnder('/interaction', interactionRoutes({
    provider: host.provider, store, accounts, resources, credentialThrottle, securityEvents, pages, csrfSecret, secondFactors, declarations, federation,
    selfService: {
      canResetPassword: selfService.canRequestReset, canSignUp: selfService.signUp !== undefined,
      pendingSignUps, allowUnverifiedLogin: config.registration.allowUnverifiedLogin,
    },
  }).routes()));
  app.use(selfServiceRoutes({
    selfService, securityEvents, pages, csrfSecret, allowUnverifiedLogin: config.registration.allowUnverifiedLogin,
  }).routes());
  app.use(onlyUnder('/session/end', logoutRoutes(host.provider, pages).routes()));
  app.use(onlyUnder('/account', accountRoutes({
    provider: host.provider, store, accounts, securityEvents, pages, csrfSecret, secondFactors, credentialThrottle, resources, declarations,
    mailEnabled: config.mail.smtp !== undefined, emailVerification: selfService.verification,
    languages: i18n.locales, selfDelete: config.account.selfDelete, dataExportAuditEvents: config.account.dataExportAuditEvents,
  }).routes()));
  if (config.signals.enabled) {
    app.use(signalsRoutes({
      config, store, cipher, delivery: streamDelivery, securityEvents, provider: () => host.current, signingKey: () => keys.signingJwk('RS256'),
    }).routes());
  }
  app.use(awaitSecurityEvents);
  app.use(strictErrorAnswers(config.issuer));
  app.use(hideSecretHashes);
  app.use(linkProtectedResources(resources));
  app.use(takePrefilledUserCode);
  app.use(enforcePollingInterval(store.counters, config.device.pollInterval));
  app.use(mountProvider(host));
  app.use(notFound);

  const metricsApp = separateMetricsPort ? metricsOnlyApp(metrics, config.metrics.token) : undefined;

  const koaListener = app.callback();
  return {
    app,
    requestListener: traceRequests ? koaListener : answerPublishedAhead(koaListener, {
      documents: published, protocol: issuerSchemeOf(config.issuer), proxy: config.proxy, csp, metrics, logger,
    }),
    metricsApp,
    provider: host.provider,
    accounts,
    keys,
    securityEvents,
    auditSealer,
    metrics,
    resources,
    outbox,
    jobRunner,
    signals,
    drainBegins: () => { draining = true; },
    close: async () => {
      await jobRunner.stop();
      keys.stop();
      await auditSealer.stop();
      await tracing.shutdown();
    },
  };
}

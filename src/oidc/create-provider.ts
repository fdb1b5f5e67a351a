import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import type { JWK } from 'jose';
import { publicJwkOf } from '../keys/signing-key-material.ts';
import { isMachineRequest } from '../http/machine-requests.ts';
import { clientView } from '../pages/client-view.ts';
import { errorKindOf } from '../pages/error-kinds.ts';
import type { Pages } from '../pages/pages.ts';
import type { OidcPayload, Store } from '../store/store.ts';
import { ACR_VALUES_SUPPORTED } from '../accounts/authentication-level.ts';
import { accountClaims, OIDC_SCOPES, SCOPE_CLAIMS } from './claims.ts';
import { authorizationClaims, claimScopeClaims, releaseAuthorizationClaimsInIdTokens } from './authorization-claims.ts';
import { signInPolicy } from './sign-in-policy.ts';
import { CLIENT_SIGNING_ALGS } from './client-keys.ts';
import { clientSecretMatches } from './client-secrets.ts';
import { cookieSettings } from './cookie-settings.ts';
import { EXTRA_CLIENT_METADATA, PKCE_OPTIONAL, PROFILE, validateExtraClientMetadata } from './keyline-client-metadata.ts';
import { introspectionAllowed, revocationAllowed } from './token-access-policies.ts';
import { accountClientMetadata } from '../account/account-client.ts';
import { loadExistingGrant } from './remembered-consent.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import { defaultResource, resourceServerInfo } from './resource-servers.ts';
import { RbacTokenAccess } from './rbac-token-access.ts';
import { stayUrlFor } from './logout-routes.ts';
import { sessionTtl } from './session-lifetime.ts';
import { rememberSigningOutClient, signedOutClient } from './signed-out-client.ts';
import { addAtHashAtTokenEndpoint } from './token-endpoint-at-hash.ts';
import { createStoreAdapter } from './store-adapter.ts';
import { outboundFetch } from '../outbound/outbound-fetch.ts';
import { detectReplaysAtomically } from './replay-detection.ts';
import { rotateIntoOneSuccessor } from './refresh-token-successors.ts';
import { assertClientAssertionClaims, checkFapi2Metadata, FAPI2_MAX_CODE_LIFETIME, FAPI2_MIN_REFRESH_RETRY_WINDOW, fapiProfileOf, isFapi2Metadata } from './fapi2-profile.ts';
import { refreshStaleClientKeys } from './refresh-client-keys.ts';
import { builtInResources } from './built-in-resources.ts';
import { withTokensAtRest } from './tokens-at-rest.ts';
import { OwnApiTokenBinding } from './jwt-access-tokens/own-api-token-binding.ts';
import { checkClientUpdatesAgainstHashedSecrets } from './dynamic-registration/client-update-checks.ts';
import { rememberMaxUses } from './dynamic-registration/initial-access-tokens.ts';
import { KEYLINE_POLICY, registrationPolicy } from './dynamic-registration/registration-policy.ts';
import { JwtAccessTokenState } from './jwt-access-tokens/jwt-access-token-state.ts';
import { recordIssuedJwts } from './jwt-access-tokens/record-issued-jwts.ts';
import { acceptStructuredTokens, registerJwtAccessTokenState } from './jwt-access-tokens/structured-token-routes.ts';
import { deviceFlowFeature, equipDeviceFlow } from './device-flow/device-flow.ts';
import type { SessionEndings } from '../accounts/session-endings.ts';
import { reportSessionEndings } from './backchannel-logout/report-session-endings.ts';
import { bindUpstreamSessions } from '../federation/bind-upstream-sessions.ts';
import { BOUND_LIFETIME_FLOOR } from '../federation/upstream-sessions.ts';

export interface ProviderDependencies {
  config: Config;
  store: Store;
  logger: Logger;
  pages: Pages;
  /** The private signing keys, in JWKS order (SigningKeyManager.providerJwks()). */
  jwks: { keys: JWK[] };
  /** The languages the pages speak, for discovery's ui_locales_supported. */
  uiLocales: readonly string[];
  resources: ResourceRegistry;
  cookieKeys: string[];
  /** 32 random bytes (base64url) shared by every node, so a DPoP nonce one node issues verifies on all. */
  dpopNonceSecret: string;
  /** Where clients' own registrations are audited (the server passes it; the CLI makes no /reg calls). */
  securityEvents?: SecurityEvents;
  /** Where logouts and refresh-token reuse are reported (back-channel logout, shared signals); the server passes it, the CLI does not. */
  sessionEndings?: SessionEndings;
}

/** Sessions remember where they were last used from, for `keyline sessions list`. */
function annotateSession(model: string, payload: OidcPayload): OidcPayload {
  const ctx = Provider.ctx;
  if (model !== 'Session' || !ctx) return payload;
  return { ...payload, keylineIp: ctx.ip, keylineUserAgent: ctx.get('user-agent').slice(0, 256), keylineLastSeen: Date.now() };
}

const ASYMMETRIC_ALGS = CLIENT_SIGNING_ALGS;
const JWKS_URI_BODY_LIMIT = 256 * 1024;
const SECTOR_BODY_LIMIT = 16 * 1024;

function providerConfiguration({
  config, store, pages, jwks, uiLocales, cookieKeys, dpopNonceSecret, securityEvents,
}: ProviderDependencies, ownApis: OwnApiTokenBinding, rbac: RbacTokenAccess): Configuration {
  const outbound = outboundFetch({ allowPrivateNetworks: config.outbound.allowPrivateNetworks });
  return {
    adapter: createStoreAdapter(withTokensAtRest(store), {
      annotate: annotateSession,
      refreshTokenRetryWindow: (client) => (isFapi2Metadata(client)
        ? Math.max(config.ttl.refreshTokenReuseInterval, FAPI2_MIN_REFRESH_RETRY_WINDOW) : config.ttl.refreshTokenReuseInterval),
      securityEvents,
      claimScopes: Object.keys(config.claims),
    }),
    jwks: jwks as Configuration['jwks'],
    cookies: cookieSettings(config.issuer, cookieKeys),
    // The OpenID scopes and the operator's claim scopes: API scopes belong to their resource
    // (resource-servers.ts), so they can change at run time.
    scopes: [...OIDC_SCOPES, ...Object.keys(config.claims)],
    claims: { ...SCOPE_CLAIMS, ...claimScopeClaims(config.claims) } as unknown as Configuration['claims'],
    async findAccount(ctx, sub) {
      const account = await store.accounts.findById(sub);
      if (!account || account.disabled) return undefined;
      return {
        accountId: account.id,
        claims: async (_use, scope, requested) => ({
          ...accountClaims(account),
          ...await authorizationClaims(
            store, config.issuer, config.claims, account, scope, requested as Record<string, unknown> | undefined, ctx.oidc?.client?.scope,
          ),
        }),
      };
    },
    // `none` is for Keyline's own account pages only (they need the session, not tokens); other
    // clients are registered for `code` alone.
    responseTypes: ['code'],
    clients: [accountClientMetadata(config.issuer, config.branding.productName)],
    pkce: {
      // Required for every client; a confidential client registered with --pkce optional may omit it.
      required: (_ctx, client) => client.clientAuthMethod === 'none' || client.metadata()[PKCE_OPTIONAL] !== true,
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      clientAuthSigningAlgValues: [...ASYMMETRIC_ALGS],
      requestObjectSigningAlgValues: [...ASYMMETRIC_ALGS],
      // EdDSA before its fully specified name (RFC 9864): most client libraries know only EdDSA.
      idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'Ed25519'],
    },
    extraClientMetadata: {
      properties: EXTRA_CLIENT_METADATA,
      validator: (ctx, key, value, metadata) => {
        validateExtraClientMetadata(key, value);
        if (key === PROFILE) checkFapi2Metadata(ctx, value, metadata as unknown as Record<string, unknown>);
      },
    },
    rotateRefreshToken: true,
    // The credential binding for Keyline's own APIs; roles and permissions for an API with RBAC.
    async extraTokenClaims(ctx, token) {
      const [own, roles] = await Promise.all([ownApis.claimsFor(token), rbac.claimsFor(ctx, token)]);
      return own || roles ? { ...own, ...roles } : undefined;
    },
    assertJwtClientAuthClaimsAndHeader: assertClientAssertionClaims,
    fetch: (input, init) => outbound(typeof input === 'string' || input instanceof URL ? input : input.url, init),
    // A client's JWK Set is a few kilobytes; a jwks_uri that streams megabytes must not fill memory.
    // sector_identifier_uri is refused at registration (public subjects only); limited all the same.
    fetchResponseBodyLimits: { jwks_uri: JWKS_URI_BODY_LIMIT, sector_identifier_uri: SECTOR_BODY_LIMIT },
    // Should one ever be stored, it is not fetched: with public subjects it decides nothing, and
    // the library's errors would tell a registrant what the URL answered.
    sectorIdentifierUriValidate: () => false,
    loadExistingGrant: loadExistingGrant(store),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Only for clients registered --profile fapi2 (fapi2-profile.ts); every other client is unaffected.
      fapi: { enabled: true, profile: fapiProfileOf },
      claimsParameter: { enabled: true },
      // Clients registered --dpop-bound must prove possession with every token request, with a
      // server nonce (RFC 9449 §8) so that a proof made in advance is useless.
      dPoP: {
        enabled: true,
        nonceSecret: Buffer.from(dpopNonceSecret, 'base64url'),
        requireNonce: (ctx) => ctx.oidc.client?.dpopBoundAccessTokens === true,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      registration: {
        enabled: config.registration.dynamic,
        initialAccessToken: true,
        issueRegistrationAccessToken: true,
        policies: { [KEYLINE_POLICY]: registrationPolicy(config.registration, store.counters, config.outbound) },
      },
      registrationManagement: { enabled: config.registration.dynamic, rotateRegistrationAccessToken: true },
      // RFC 8628, for clients registered with the device_code grant (their pages: device-flow/).
      deviceFlow: deviceFlowFeature(pages),
      // Clients may register a back-channel logout URI; the tokens go out from the outbox
      // (report-session-endings.ts). Front-channel logout stays off: its iframes are what our CSP forbids.
      backchannelLogout: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          rememberSigningOutClient(ctx, ctx.oidc.client?.clientId);
          pages.render(ctx as never, 'logout', {
            logoutForm: form, client: clientView(ctx.oidc.client), stayUrl: stayUrlFor(ctx.oidc.client?.clientId),
          });
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          pages.render(ctx as never, 'logged-out', { client: clientView(await signedOutClient(ctx)) });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource,
        getResourceServerInfo: resourceServerInfo(config, rbac),
        useGrantedResource: async () => true,
      },
    },
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: (_ctx, _code, client) => (isFapi2Metadata(client.metadata() as Record<string, unknown>)
        ? Math.min(config.ttl.authorizationCode, FAPI2_MAX_CODE_LIFETIME) : config.ttl.authorizationCode),
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      RefreshToken: config.ttl.refreshToken,
      Grant: config.ttl.grant,
      DeviceCode: config.device.codeTtl,
      Session: sessionTtl(config),
    },
    acrValues: [...ACR_VALUES_SUPPORTED],
    interactions: { policy: signInPolicy(config.mfa.required, async (accountId) => (await store.federatedIdentities.listByAccount(accountId)).map((link) => link.upstreamId)), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    discovery: { ui_locales_supported: [...uiLocales] },
    // The library renders its errors as a page whenever Accept prefers HTML; machine endpoints answer JSON regardless.
    async renderError(ctx, out) {
      if (isMachineRequest(ctx)) {
        ctx.type = 'json';
        ctx.body = out;
        return;
      }
      const client = clientView(ctx.oidc?.client);
      const status = ctx.status >= 400 ? ctx.status : 400;
      const description = out.error_description === undefined ? undefined : String(out.error_description);
      pages.renderError(ctx as never, {
        status,
        code: String(out.error),
        description,
        kind: errorKindOf(status, String(out.error), description, ctx.oidc?.route?.startsWith('end_session')),
        client: client ? { name: client.name, homeUri: client.homeUri } : undefined,
      });
    },
  };
}

/** Builds the oidc-provider instance that serves the protocol endpoints. */
export function createProvider(deps: ProviderDependencies): Provider {
  acceptStructuredTokens();
  checkClientUpdatesAgainstHashedSecrets();
  const ownApis = new OwnApiTokenBinding(deps.store, builtInResources(deps.config).map((resource) => resource.indicator));
  const rbac = new RbacTokenAccess(deps.store, deps.config.issuer, deps.resources);
  const provider = new Provider(deps.config.issuer, providerConfiguration(deps, ownApis, rbac));
  provider.proxy = deps.config.proxy;
  // Client secrets are stored as SHA-256 hashes; oidc-provider hands us the presented secret to compare.
  provider.Client.prototype.compareClientSecret = function compareHashed(this: { clientSecret?: string }, presented: string) {
    return clientSecretMatches(this.clientSecret, presented);
  };
  addAtHashAtTokenEndpoint(provider);
  releaseAuthorizationClaimsInIdTokens(provider, deps.config.claims);
  rememberMaxUses(provider);
  detectReplaysAtomically(provider, deps.store);
  rotateIntoOneSuccessor(provider);
  refreshStaleClientKeys(provider);
  equipDeviceFlow(provider, deps.config.device, deps.store.counters);
  recordIssuedJwts(provider, deps.store);
  registerJwtAccessTokenState(provider, new JwtAccessTokenState(provider, deps.store, { keys: deps.jwks.keys.map(publicJwkOf) }, ownApis));
  if (deps.sessionEndings) {
    reportSessionEndings(provider, deps.sessionEndings);
    bindUpstreamSessions(provider, deps.store, deps.sessionEndings, Math.max(BOUND_LIFETIME_FLOOR, deps.config.ttl.sessionAbsolute));
  }
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    if (ctx.state) ctx.state.providerError = error;
    deps.logger.error({ err: error, requestId: ctx.state?.requestId }, 'oidc-provider server error');
  });
  return provider;
}

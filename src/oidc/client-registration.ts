import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import { FETCHABLE_URL_RULE, isFetchableClientUrl } from '../outbound/client-url-rule.ts';
import { clientKeysProblem, type ClientKeySet } from './client-keys.ts';
import { generateClientSecret, hashClientSecret } from './client-secrets.ts';
import {
  API_SCOPES, CLIENT_PROFILES, NO_LOCAL_LOGIN, PKCE_OPTIONAL, PROFILE, REQUIRE_MFA, RESOURCES, UPSTREAMS, isOidcScope, withApiScopesApart, type ClientProfile,
} from './keyline-client-metadata.ts';
import { redirectUriProblem } from './redirect-uri-rule.ts';
import type { ResourceRegistry } from './resource-registry.ts';

/** Everything about a client an administrator may set or change. */
export interface ClientSettings {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  /** OpenID scopes and API scopes, space-separated. */
  scopes: string;
  isPublic: boolean;
  pkceOptional: boolean;
  resources: string[];
  idTokenAlg?: string;
  /** client_secret_basic (default), client_secret_post or private_key_jwt; `none` is what isPublic means. */
  authMethod?: string;
  /** private_key_jwt: where the client publishes its public keys (RFC 7523), or the keys themselves. */
  jwksUri?: string;
  jwks?: ClientKeySet;
  /** Authorization requests only as pushed authorization requests (RFC 9126). */
  requirePar?: boolean;
  /** Access and refresh tokens bound to the client's DPoP key (RFC 9449); the DPoP nonce is required. */
  dpopBound?: boolean;
  /** Shown on the consent page: the client's logo, home page, privacy policy and terms. */
  logoUri?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
  /** Everyone signing in to this client proves a second factor (see "Multi-factor authentication"). */
  requireMfa?: boolean;
  /** Back-channel logout (OIDC Back-Channel Logout 1.0): where logout tokens are POSTed when the user's session ends. */
  backchannelLogoutUri?: string;
  /** The client needs `sid` in its logout tokens. */
  backchannelLogoutSessionRequired?: boolean;
  /** A security profile it is held to: `fapi2`, the FAPI 2.0 Security Profile (fapi2-profile.ts). */
  profile?: ClientProfile;
  /** The upstream identity providers its login page offers (ids); every enabled one when absent. */
  upstreams?: string[];
  /** Sign-in only through one of its upstreams: no password, no passkey on Keyline's own page. */
  noLocalLogin?: boolean;
}

/** A new client: a name, and any setting that should not take its default. */
export type ClientRegistration = Partial<ClientSettings> & { name: string };

export interface RegisteredClient {
  clientId: string;
  /** Present only when a secret was issued, and only now: the store keeps a hash. */
  clientSecret?: string;
  metadata: Record<string, unknown>;
}

/** 96 random bits; never with a leading '-', which a command line would read as an option (`keyline clients remove -x…`). */
function newClientId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** What registration checks against: oidc-provider's own client schema and the APIs Keyline knows. */
export interface RegistrationContext {
  provider: Provider;
  resources: ResourceRegistry;
  /** `outbound.allowPrivateNetworks`: whether a jwks_uri may be plain http (development only; off when absent). */
  allowPrivateNetworks?: boolean;
  /** The operator's claim scopes (config `claims:`), which a client is given like OpenID scopes; none when absent. */
  claimScopes?: readonly string[];
  /** Whether an upstream of this id exists (enabled or not); a client may only name ones that do. Unchecked when absent. */
  upstreamExists?: (id: string) => Promise<boolean>;
}

/** A setting that cannot be honoured; the message says which and why, in one line. */
export class ClientRegistrationError extends Error {
  /** The setting at fault, when one is (the admin API names it as the bad field). */
  readonly setting: keyof ClientSettings | undefined;

  constructor(message: string, setting?: keyof ClientSettings) {
    super(message);
    this.name = 'ClientRegistrationError';
    this.setting = setting;
  }
}

/** The device authorization grant (RFC 8628), for TVs, consoles and CLIs that sign in on another device. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The grant types a client may be registered for. */
export const CLIENT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT] as const;
const GRANT_TYPES: ReadonlySet<string> = new Set(CLIENT_GRANT_TYPES);
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'private_key_jwt']);

/** The setting each metadata field comes from, so oidc-provider's refusals can name it too. */
const SETTING_OF_METADATA: Record<string, keyof ClientSettings> = {
  client_name: 'name', redirect_uris: 'redirectUris', post_logout_redirect_uris: 'postLogoutRedirectUris', grant_types: 'grantTypes',
  response_types: 'grantTypes', scope: 'scopes', token_endpoint_auth_method: 'authMethod', id_token_signed_response_alg: 'idTokenAlg',
  logo_uri: 'logoUri', client_uri: 'clientUri', policy_uri: 'policyUri', tos_uri: 'tosUri', jwks_uri: 'jwksUri', jwks: 'jwks',
  backchannel_logout_uri: 'backchannelLogoutUri', backchannel_logout_session_required: 'backchannelLogoutSessionRequired',
};

function settingNamedIn(description: string): keyof ClientSettings | undefined {
  const field = Object.keys(SETTING_OF_METADATA).find((key) => new RegExp(`\\b${key}\\b`).test(description));
  return field ? SETTING_OF_METADATA[field] : undefined;
}
const USER_FLOW_DEFAULT_SCOPES = 'openid profile email offline_access';

/** A client that signs its assertions with its own keys has no secret; a public one neither. */
function needsSecret(settings: ClientSettings): boolean {
  return !settings.isPublic && settings.authMethod !== 'private_key_jwt';
}

function withDefaults(registration: ClientRegistration): ClientSettings {
  const grantTypes = registration.grantTypes?.length ? registration.grantTypes : ['authorization_code', 'refresh_token'];
  const signsInUsers = grantTypes.includes('authorization_code') || grantTypes.includes(DEVICE_CODE_GRANT);
  return {
    redirectUris: [],
    postLogoutRedirectUris: [],
    isPublic: false,
    pkceOptional: false,
    resources: [],
    ...registration,
    grantTypes,
    scopes: registration.scopes ?? (signsInUsers ? USER_FLOW_DEFAULT_SCOPES : ''),
  };
}

/** What the FAPI 2.0 profile requires and Keyline can turn on for the client: pushed requests only, DPoP-bound tokens. */
function withProfile(settings: ClientSettings): ClientSettings {
  return settings.profile === 'fapi2' ? { ...settings, requirePar: true, dpopBound: true } : settings;
}

/** What the FAPI 2.0 profile requires of the client's own registration; the message says what to change. */
function checkProfile(settings: ClientSettings): void {
  if (settings.profile === undefined) return;
  if (!(CLIENT_PROFILES as readonly string[]).includes(settings.profile)) {
    throw new ClientRegistrationError(`profile: "${String(settings.profile)}" is not offered; use ${CLIENT_PROFILES.join(', ')}`, 'profile');
  }
  if (settings.isPublic || settings.authMethod !== 'private_key_jwt') {
    throw new ClientRegistrationError('profile: a FAPI 2.0 client authenticates with private_key_jwt (--auth-method private_key_jwt and its keys)', 'profile');
  }
  if (settings.pkceOptional) throw new ClientRegistrationError('profile: a FAPI 2.0 client always uses PKCE (S256); drop --pkce optional', 'profile');
  if (!settings.grantTypes.includes('authorization_code')) {
    throw new ClientRegistrationError('profile: a FAPI 2.0 client signs users in with authorization_code', 'profile');
  }
}

/** Keys belong to private_key_jwt, and such a client needs exactly one place to find them. */
async function checkKeys(settings: ClientSettings, allowPrivateNetworks: boolean): Promise<void> {
  const hasKeys = settings.jwks !== undefined || settings.jwksUri !== undefined;
  if (settings.authMethod !== 'private_key_jwt') {
    if (hasKeys) throw new ClientRegistrationError('keys: --jwks-uri and --jwks are for clients with --auth-method private_key_jwt');
    return;
  }
  if (settings.jwks && settings.jwksUri) throw new ClientRegistrationError('keys: give the client\'s keys with --jwks-uri or --jwks, not both');
  if (!hasKeys) throw new ClientRegistrationError('keys: a private_key_jwt client needs its public keys: --jwks-uri URL or --jwks FILE');
  if (settings.jwksUri !== undefined && !isFetchableClientUrl(settings.jwksUri, allowPrivateNetworks)) {
    throw new ClientRegistrationError(`jwks_uri: "${settings.jwksUri}" ${FETCHABLE_URL_RULE}`, 'jwksUri');
  }
  const problem = settings.jwks && await clientKeysProblem(settings.jwks);
  if (problem) throw new ClientRegistrationError(`keys: ${problem}`);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Logout tokens end sessions: https only, except to the developer's own machine; never a fragment (BCL 1.0 §2.2). */
function checkBackchannelLogout(settings: ClientSettings): void {
  const uri = settings.backchannelLogoutUri;
  if (settings.backchannelLogoutSessionRequired && !uri) {
    throw new ClientRegistrationError('back-channel logout: --backchannel-logout-session-required needs --backchannel-logout-uri', 'backchannelLogoutSessionRequired');
  }
  if (uri === undefined) return;
  const parsed = URL.canParse(uri) ? new URL(uri) : undefined;
  if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)))) {
    throw new ClientRegistrationError('back-channel logout URI: must be an https:// URL (http:// only on localhost or 127.0.0.1)', 'backchannelLogoutUri');
  }
  if (parsed.hash) throw new ClientRegistrationError('back-channel logout URI: must not have a #fragment', 'backchannelLogoutUri');
}

/** A typo in --upstreams would otherwise leave a login page with no way in (with --no-local-login) and no error anywhere. */
async function checkUpstreams(context: RegistrationContext, settings: ClientSettings): Promise<void> {
  const exists = context.upstreamExists;
  if (!exists || !settings.upstreams?.length) return;
  for (const id of settings.upstreams) {
    if (!await exists(id)) throw new ClientRegistrationError(`upstreams: there is no upstream "${id}" (see keyline upstreams list)`, 'upstreams');
  }
}

async function checkSettings(context: RegistrationContext, settings: ClientSettings): Promise<void> {
  if (!settings.name.trim()) throw new ClientRegistrationError('name: a client needs a name', 'name');
  checkBackchannelLogout(settings);
  checkProfile(settings);
  if (settings.noLocalLogin && !settings.upstreams?.length) {
    throw new ClientRegistrationError('local login: a client without it needs the upstreams its people sign in with (--upstreams a,b)', 'noLocalLogin');
  }
  await checkUpstreams(context, settings);
  const unknownGrant = settings.grantTypes.find((grant) => !GRANT_TYPES.has(grant));
  if (unknownGrant) {
    throw new ClientRegistrationError(`grant types: "${unknownGrant}" is not offered; use authorization_code, refresh_token, client_credentials or ${DEVICE_CODE_GRANT}`, 'grantTypes');
  }
  if (settings.authMethod !== undefined && !AUTH_METHODS.has(settings.authMethod)) {
    throw new ClientRegistrationError(`auth method: "${settings.authMethod}" is not offered; use client_secret_basic, client_secret_post, private_key_jwt or none`, 'authMethod');
  }
  await checkKeys(settings, context.allowPrivateNetworks === true);
  if (settings.requirePar && !settings.grantTypes.includes('authorization_code')) {
    throw new ClientRegistrationError('pushed authorization requests: --require-par is for clients that use authorization_code', 'requirePar');
  }
  if (settings.isPublic && settings.pkceOptional) {
    throw new ClientRegistrationError('PKCE: optional PKCE is only for confidential clients; a public client must use PKCE', 'pkceOptional');
  }
  if (settings.isPublic && settings.grantTypes.includes('client_credentials')) {
    throw new ClientRegistrationError('grant types: client_credentials needs a confidential client', 'grantTypes');
  }
  for (const [setting, label] of [['redirectUris', 'redirect URIs'], ['postLogoutRedirectUris', 'post-logout redirect URIs']] as const) {
    const problem = settings[setting].map(redirectUriProblem).find(Boolean);
    if (problem) throw new ClientRegistrationError(`${label}: ${problem}`, setting);
  }
  if (settings.grantTypes.includes('authorization_code') && settings.redirectUris.length === 0) {
    throw new ClientRegistrationError('redirect URIs: an authorization_code client needs at least one', 'redirectUris');
  }
  const apiScopes = new Set<string>();
  for (const indicator of settings.resources) {
    const resource = await context.resources.find(indicator);
    if (!resource) throw new ClientRegistrationError(`resources: ${indicator} is not known; add it first with \`npx keyline resources add ${indicator}\``, 'resources');
    for (const scope of resource.scopes) apiScopes.add(scope);
  }
  const unknownScope = settings.scopes.split(' ').filter(Boolean).find((scope) => !isOidcScope(scope, context.claimScopes) && !apiScopes.has(scope));
  if (unknownScope) {
    throw new ClientRegistrationError(settings.resources.length
      ? `scopes: "${unknownScope}" is not a scope of ${settings.resources.join(', ')} (see \`npx keyline resources list\`)`
      : `scopes: "${unknownScope}" is not an OpenID scope; an API scope needs the API given with --resource`, 'scopes');
  }
}

function optional(key: string, value: string | undefined): Record<string, unknown> {
  return value ? { [key]: value } : {};
}

/** The stored metadata for settings: the standard fields, plus Keyline's own (PKCE, resources, API scopes). */
function toMetadata(clientId: string, settings: ClientSettings, secretHash: string | undefined, claimScopes: readonly string[] = []): Record<string, unknown> {
  const scopes = settings.scopes.split(' ').filter(Boolean);
  const oidcScopes = scopes.filter((scope) => isOidcScope(scope, claimScopes));
  const apiScopes = scopes.filter((scope) => !isOidcScope(scope, claimScopes));
  return {
    client_id: clientId,
    client_name: settings.name,
    grant_types: settings.grantTypes,
    response_types: settings.grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: settings.redirectUris,
    post_logout_redirect_uris: settings.postLogoutRedirectUris,
    ...(oidcScopes.length ? { scope: oidcScopes.join(' ') } : {}),
    token_endpoint_auth_method: settings.isPublic ? 'none' : settings.authMethod ?? 'client_secret_basic',
    ...(secretHash ? { client_secret: secretHash } : {}),
    ...optional('jwks_uri', settings.jwksUri),
    ...(settings.jwks ? { jwks: settings.jwks } : {}),
    ...(settings.requirePar ? { require_pushed_authorization_requests: true } : {}),
    ...(settings.dpopBound ? { dpop_bound_access_tokens: true } : {}),
    ...(settings.pkceOptional ? { [PKCE_OPTIONAL]: true } : {}),
    ...(settings.requireMfa ? { [REQUIRE_MFA]: true } : {}),
    ...(settings.profile ? { [PROFILE]: settings.profile } : {}),
    ...(settings.upstreams?.length ? { [UPSTREAMS]: [...new Set(settings.upstreams)] } : {}),
    ...(settings.noLocalLogin ? { [NO_LOCAL_LOGIN]: true } : {}),
    ...(settings.resources.length ? { [RESOURCES]: settings.resources } : {}),
    ...(apiScopes.length ? { [API_SCOPES]: apiScopes } : {}),
    ...optional('id_token_signed_response_alg', settings.idTokenAlg),
    ...optional('logo_uri', settings.logoUri),
    ...optional('client_uri', settings.clientUri),
    ...optional('policy_uri', settings.policyUri),
    ...optional('tos_uri', settings.tosUri),
    ...optional('backchannel_logout_uri', settings.backchannelLogoutUri),
    ...(settings.backchannelLogoutUri && settings.backchannelLogoutSessionRequired ? { backchannel_logout_session_required: true } : {}),
  };
}

/** Keyline's checks, then oidc-provider's own client schema, so nothing is stored that the server would refuse. */
async function validated(context: RegistrationContext, clientId: string, given: ClientSettings, secretHash?: string) {
  const settings = withProfile(given);
  await checkSettings(context, settings);
  const metadata = toMetadata(clientId, settings, secretHash, context.claimScopes);
  try {
    await context.provider.Client.validate(metadata as ClientMetadata);
  } catch (error) {
    const description = (error as { error_description?: string }).error_description ?? (error as Error).message;
    throw new ClientRegistrationError(description, settingNamedIn(description));
  }
  return metadata;
}

/** The settings a stored client has, so a change can be applied to them. */
export function clientSettingsOf(stored: Record<string, unknown>): ClientSettings {
  const metadata = withApiScopesApart(stored);
  const list = (key: string) => (Array.isArray(metadata[key]) ? metadata[key] as string[] : []);
  const text = (key: string) => (typeof metadata[key] === 'string' ? metadata[key] as string : undefined);
  const authMethod = text('token_endpoint_auth_method');
  return {
    name: text('client_name') ?? String(metadata.client_id),
    redirectUris: list('redirect_uris'),
    postLogoutRedirectUris: list('post_logout_redirect_uris'),
    grantTypes: list('grant_types'),
    scopes: [...(text('scope')?.split(' ') ?? []), ...list(API_SCOPES)].filter(Boolean).join(' '),
    isPublic: authMethod === 'none',
    pkceOptional: metadata[PKCE_OPTIONAL] === true,
    resources: list(RESOURCES),
    idTokenAlg: text('id_token_signed_response_alg'),
    authMethod: authMethod === 'none' ? undefined : authMethod,
    jwksUri: text('jwks_uri'),
    jwks: typeof metadata.jwks === 'object' && metadata.jwks !== null ? metadata.jwks as ClientKeySet : undefined,
    requirePar: metadata.require_pushed_authorization_requests === true,
    dpopBound: metadata.dpop_bound_access_tokens === true,
    logoUri: text('logo_uri'),
    clientUri: text('client_uri'),
    policyUri: text('policy_uri'),
    tosUri: text('tos_uri'),
    requireMfa: metadata[REQUIRE_MFA] === true,
    backchannelLogoutUri: text('backchannel_logout_uri'),
    backchannelLogoutSessionRequired: metadata.backchannel_logout_session_required === true,
    profile: (CLIENT_PROFILES as readonly unknown[]).includes(metadata[PROFILE]) ? metadata[PROFILE] as ClientProfile : undefined,
    upstreams: list(UPSTREAMS).length ? list(UPSTREAMS) : undefined,
    noLocalLogin: metadata[NO_LOCAL_LOGIN] === true ? true : undefined,
  };
}

/** Registers a client: one function for the CLI and, later, the admin API. */
export async function registerClient(context: RegistrationContext, registration: ClientRegistration): Promise<RegisteredClient> {
  const settings = withDefaults(registration);
  const clientId = newClientId();
  const clientSecret = needsSecret(settings) ? generateClientSecret() : undefined;
  const metadata = await validated(context, clientId, settings, clientSecret && hashClientSecret(clientSecret));
  return { clientId, clientSecret, metadata };
}

/**
 * Applies changes to a stored client. A confidential client keeps its secret; one made public (or
 * private_key_jwt) loses it; one that needs a secret and has none gets a new one, returned once.
 */
export async function changeClient(
  context: RegistrationContext,
  stored: Record<string, unknown>,
  changes: Partial<ClientSettings>,
): Promise<RegisteredClient> {
  const clientId = String(stored.client_id);
  const current = clientSettingsOf(stored);
  const settings: ClientSettings = { ...current, ...changes };
  if (changes.authMethod === 'none') {
    settings.isPublic = true;
    settings.authMethod = undefined;
  } else if (changes.authMethod !== undefined) {
    settings.isPublic = false;
  }
  // New keys replace the old, in whichever form; a client that stops using its keys loses them.
  if ('jwksUri' in changes && !('jwks' in changes)) settings.jwks = undefined;
  if ('jwks' in changes && !('jwksUri' in changes)) settings.jwksUri = undefined;
  if (settings.authMethod !== 'private_key_jwt' && !('jwks' in changes) && !('jwksUri' in changes)) {
    settings.jwks = undefined;
    settings.jwksUri = undefined;
  }
  const existingHash = typeof stored.client_secret === 'string' ? stored.client_secret : undefined;
  const clientSecret = needsSecret(settings) && !existingHash ? generateClientSecret() : undefined;
  const secretHash = needsSecret(settings) ? existingHash ?? hashClientSecret(clientSecret!) : undefined;
  const metadata = await validated(context, clientId, settings, secretHash);
  return { clientId, clientSecret, metadata };
}

/** The metadata minus the secret hash, for display. */
export function publicMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _hash, ...shown } = metadata;
  return shown;
}

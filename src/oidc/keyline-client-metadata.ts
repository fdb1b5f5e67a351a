import { OIDC_SCOPES } from './claims.ts';

/** Client metadata Keyline adds to the standard set; oidc-provider validates and carries them. */
export const PKCE_OPTIONAL = 'keyline_pkce_optional';
export const RESOURCES = 'keyline_resources';
/**
 * The API scopes a client may get, kept apart from the standard `scope`: oidc-provider checks
 * `scope` against the scopes it knew at start, and API scopes come and go with `keyline resources`.
 */
export const API_SCOPES = 'keyline_api_scopes';
/** Every sign-in to this client needs a second factor or a passkey. */
export const REQUIRE_MFA = 'keyline_require_mfa';

/** A security profile the client is held to: `fapi2` is the FAPI 2.0 Security Profile (`fapi2-profile.ts`). */
export const PROFILE = 'keyline_profile';
export const CLIENT_PROFILES = ['fapi2'] as const;
export type ClientProfile = typeof CLIENT_PROFILES[number];

/** The upstream identity providers (ids) its login page offers; all enabled ones when absent. */
export const UPSTREAMS = 'keyline_upstreams';
/** Its people sign in only through an upstream: no password field, no passkey. */
export const NO_LOCAL_LOGIN = 'keyline_no_local_login';

export const EXTRA_CLIENT_METADATA = [PKCE_OPTIONAL, RESOURCES, API_SCOPES, REQUIRE_MFA, PROFILE, UPSTREAMS, NO_LOCAL_LOGIN];

const OIDC_SCOPE_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** A scope oidc-provider handles itself: an OpenID scope, or one of the operator's claim scopes (config `claims:`). */
export function isOidcScope(scope: string, claimScopes: readonly string[] = []): boolean {
  return OIDC_SCOPE_SET.has(scope) || claimScopes.includes(scope);
}

/**
 * Clients registered before API scopes had their own field carry them in `scope`; the stored
 * metadata is read through this, so they keep working without a migration.
 */
export function withApiScopesApart(metadata: Record<string, unknown>, claimScopes: readonly string[] = []): Record<string, unknown> {
  if (typeof metadata.scope !== 'string') return metadata;
  const scopes = metadata.scope.split(' ').filter(Boolean);
  const api = scopes.filter((scope) => !isOidcScope(scope, claimScopes));
  if (api.length === 0) return metadata;
  const { scope: _all, ...rest } = metadata;
  const oidc = scopes.filter((scope) => isOidcScope(scope, claimScopes));
  const existing = Array.isArray(metadata[API_SCOPES]) ? metadata[API_SCOPES] as string[] : [];
  return { ...rest, ...(oidc.length ? { scope: oidc.join(' ') } : {}), [API_SCOPES]: [...new Set([...existing, ...api])] };
}

interface ClientLike {
  metadata(): Record<string, unknown>;
}

/**
 * oidc-provider builds a new Client instance whenever a client's metadata changes, so a memo per
 * instance cannot go stale; it saves `metadata()` (which re-cases every property, ~30 µs) per request.
 */
function memoizedList(key: string) {
  const byClient = new WeakMap<ClientLike, string[]>();
  return (client: ClientLike): string[] => {
    let list = byClient.get(client);
    if (!list) {
      const value = client.metadata()[key];
      list = Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
      byClient.set(client, list);
    }
    return list;
  };
}

export const clientResources = memoizedList(RESOURCES);
export const clientApiScopes = memoizedList(API_SCOPES);

export function validateExtraClientMetadata(key: string, value: unknown): void {
  if (key === UPSTREAMS && value !== undefined) {
    const valid = Array.isArray(value) && value.length <= 20 && value.every((entry) => typeof entry === 'string' && /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(entry));
    if (!valid) throw new TypeError(`${UPSTREAMS} must be an array of upstream ids`);
  }
  if ((key === PKCE_OPTIONAL || key === REQUIRE_MFA || key === NO_LOCAL_LOGIN) && value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${key} must be a boolean`);
  }
  if (key === PROFILE && value !== undefined && !(CLIENT_PROFILES as readonly unknown[]).includes(value)) {
    throw new TypeError(`${PROFILE} must be one of ${CLIENT_PROFILES.join(', ')}`);
  }
  if (key === RESOURCES && value !== undefined) {
    const valid = Array.isArray(value) && value.every((entry) => typeof entry === 'string' && URL.canParse(entry));
    if (!valid) throw new TypeError(`${RESOURCES} must be an array of absolute URLs`);
  }
  if (key === API_SCOPES && value !== undefined) {
    const valid = Array.isArray(value) && value.every((entry) => typeof entry === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(entry));
    if (!valid) throw new TypeError(`${API_SCOPES} must be an array of scope values`);
  }
}

import { hash } from 'node:crypto';
import type { Store } from '../../store/store.ts';
import { API_SCOPES, RESOURCES, withApiScopesApart } from '../keyline-client-metadata.ts';
import type { AccessTokenClaims } from './jwt-access-token-state.ts';

/** The claim that binds a token for one of Keyline's own APIs to the credentials it was issued against. */
export const CREDENTIAL_CLAIM = 'keyline_credential';

/**
 * A short fingerprint of what authenticates the client: its secret's hash, its jwks_uri, its keys.
 * Rotating the secret (or the keys) changes it; nothing about the secret can be learnt from it.
 */
function credentialFingerprint(metadata: Record<string, unknown>): string {
  const material = JSON.stringify([metadata.client_secret ?? null, metadata.jwks_uri ?? null, metadata.jwks ?? null]);
  return hash('sha256', `keyline client credential\0${material}`, 'base64url').slice(0, 22);
}

interface IssuedToken {
  clientId?: string;
  resourceServer?: { audience?: string };
}

/**
 * Tokens for Keyline's own APIs (the admin API, the shared-signals transmitter) are judged against
 * the client's registration as it is now, read from the store on every call (not from the client
 * cache): a client removed, demoted (scope or API taken away) or whose secret or keys were changed
 * loses what the token gave it at once, not when the token expires. The few calls these APIs get
 * are worth one read each; other APIs' tokens keep oidc-provider's rules.
 */
export class OwnApiTokenBinding {
  readonly #store: Store;
  readonly #ownApis: ReadonlySet<string>;

  constructor(store: Store, ownApis: readonly string[]) {
    this.#store = store;
    this.#ownApis = new Set(ownApis);
  }

  /** extraTokenClaims: the credential fingerprint, in tokens for Keyline's own APIs only. */
  async claimsFor(token: IssuedToken): Promise<Record<string, string> | undefined> {
    const audience = token.resourceServer?.audience;
    if (!audience || !this.#ownApis.has(audience) || !token.clientId) return undefined;
    const client = await this.#store.clients.find(token.clientId);
    return client ? { [CREDENTIAL_CLAIM]: credentialFingerprint(client.metadata) } : undefined;
  }

  isForOwnApi(claims: AccessTokenClaims): boolean {
    return [claims.aud ?? []].flat().some((audience) => this.#ownApis.has(audience));
  }

  /** The token's claims with only the scopes the client still has, or undefined when it has lost the token altogether. */
  async currentRights(claims: AccessTokenClaims): Promise<AccessTokenClaims | undefined> {
    const client = await this.#store.clients.find(claims.client_id);
    if (!client || claims[CREDENTIAL_CLAIM] !== credentialFingerprint(client.metadata)) return undefined;
    const metadata = withApiScopesApart(client.metadata);
    const resources = Array.isArray(metadata[RESOURCES]) ? metadata[RESOURCES] as string[] : [];
    if ([claims.aud ?? []].flat().some((audience) => this.#ownApis.has(audience) && !resources.includes(audience))) return undefined;
    const registered = new Set([
      ...(typeof metadata.scope === 'string' ? metadata.scope.split(' ') : []),
      ...(Array.isArray(metadata[API_SCOPES]) ? metadata[API_SCOPES] as string[] : []),
    ]);
    const scope = (claims.scope ?? '').split(' ').filter((entry) => entry && registered.has(entry)).join(' ');
    // A person's token (RBAC for people) lists its permissions: they follow the scope, never more.
    const permissions = Array.isArray(claims.permissions) ? claims.permissions.filter((entry) => registered.has(entry)) : undefined;
    return { ...claims, scope, ...(permissions ? { permissions } : {}) };
  }
}

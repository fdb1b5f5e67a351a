import {
  accessFor, effectiveAccessOfAccount, effectiveAccessOfClient, type EffectiveAccess, type ResourceAccess,
} from '../authorization/effective-access.ts';
import type { Store } from '../store/store.ts';
import type { ResourceDefinition, ResourceRegistry } from './resource-registry.ts';

/** Whom an access token speaks for: a person (user flows) or a machine client (client_credentials). Never confused. */
export interface TokenSubject {
  kind: 'user' | 'client';
  id: string;
}

/** What oidc-provider hands extraTokenClaims: an AccessToken (a person's) or a ClientCredentials token. */
export interface IssuedToken {
  kind?: string;
  accountId?: string;
  clientId?: string;
  scope?: string;
  resourceServer?: { audience?: string };
}

interface RequestReads {
  resources: Map<string, Promise<ResourceDefinition | undefined>>;
  access: Map<string, Promise<EffectiveAccess>>;
}

function once<T>(reads: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let pending = reads.get(key);
  if (!pending) {
    pending = read();
    reads.set(key, pending);
  }
  return pending;
}

/** RBAC applies to this subject: on every token for `rbac: true`, on a person's only for `rbac: 'people'` (the admin API). */
export function enforcesRbac(resource: ResourceDefinition | undefined, subject: TokenSubject | undefined): boolean {
  if (!resource || resource.rbac === false) return false;
  return resource.rbac === true || subject?.kind !== 'client';
}

/** The subject of the token an extraTokenClaims call is about; undefined for a token that has none. */
export function subjectOfToken(token: IssuedToken): TokenSubject | undefined {
  if (token.kind === 'ClientCredentials') return token.clientId ? { kind: 'client', id: token.clientId } : undefined;
  return token.accountId ? { kind: 'user', id: token.accountId } : undefined;
}

/**
 * What an RBAC resource's access token may carry for its subject. A token request reads the
 * subject's groups and roles ONCE, memoized on that request's context (the same object
 * getResourceServerInfo and extraTokenClaims are handed), so the token's `scope`, `roles` and
 * `permissions` come from one reading and agree. Nothing outlives the request: the next one reads
 * the store again, so a role revoked on any node is missing from every token issued after the
 * revocation was answered.
 */
export class RbacTokenAccess {
  readonly #store: Store;
  readonly #issuer: string;
  readonly #registry: ResourceRegistry;
  readonly #reads = new WeakMap<object, RequestReads>();

  constructor(store: Store, issuer: string, registry: ResourceRegistry) {
    this.#store = store;
    this.#issuer = issuer;
    this.#registry = registry;
  }

  #readsOf(request: object | undefined): RequestReads {
    const fresh = (): RequestReads => ({ resources: new Map(), access: new Map() });
    if (!request) return fresh();
    let reads = this.#reads.get(request);
    if (!reads) {
      reads = fresh();
      this.#reads.set(request, reads);
    }
    return reads;
  }

  /** The resource as this request sees it (read once per request, so the RBAC decision cannot change half-way). */
  resource(request: object | undefined, indicator: string): Promise<ResourceDefinition | undefined> {
    return once(this.#readsOf(request).resources, indicator, () => this.#registry.find(indicator));
  }

  /**
   * The subject's roles and permissions on this resource when the resource enforces RBAC for them;
   * undefined when it does not (the token then follows the client's registration alone). No
   * subject (which no enabled grant produces) holds nothing.
   */
  async forResource(request: object | undefined, indicator: string, subject: TokenSubject | undefined): Promise<ResourceAccess | undefined> {
    const resource = await this.resource(request, indicator);
    if (!enforcesRbac(resource, subject)) return undefined;
    if (!subject) return { roles: [], permissions: [] };
    const access = await once(this.#readsOf(request).access, `${subject.kind}\0${subject.id}`, () => (subject.kind === 'user'
      ? effectiveAccessOfAccount(this.#store, this.#issuer, subject.id)
      : effectiveAccessOfClient(this.#store, this.#issuer, subject.id)));
    return accessFor(access, indicator);
  }

  /**
   * extraTokenClaims for an RBAC resource's JWT: the subject's `roles` on that resource, and the
   * `permissions` this token carries (its scope; which the roles permit, see resource-servers.ts).
   * Nothing for a token without a resource, or for a resource without RBAC for this subject.
   */
  async claimsFor(request: object | undefined, token: IssuedToken): Promise<{ roles: string[]; permissions: string[] } | undefined> {
    const indicator = token.resourceServer?.audience;
    if (!indicator) return undefined;
    const access = await this.forResource(request, indicator, subjectOfToken(token));
    if (!access) return undefined;
    const granted = new Set((token.scope ?? '').split(' '));
    return { roles: access.roles, permissions: access.permissions.filter((permission) => granted.has(permission)) };
  }
}

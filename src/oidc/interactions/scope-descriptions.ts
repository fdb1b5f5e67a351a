import type { AuthorizationDeclarations } from '../../config/schema.ts';
import type { Translate } from '../../i18n/i18n.ts';
import { SCOPE_CLAIMS } from '../claims.ts';

/** The scopes Keyline explains in its own words; any other gets a generic sentence naming it. */
const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access', 'groups']);

export interface PermissionRequest {
  client: string;
  scopes: string[];
  /** Claims asked for by name (the `claims` parameter), each described by the scope that releases it when no listed scope does. */
  claims?: string[];
  /** resource indicator → the API scopes asked for */
  resources: Record<string, string[]>;
  resourceName(indicator: string): Promise<string | undefined>;
  /** The operator's claim scopes, each explained by what it releases (an attribute by its label). */
  declarations?: AuthorizationDeclarations;
}

/** "department, your groups": what a claim scope releases (or those of its claims asked for by name), in the page's language. */
function claimScopeDetails(t: Translate, declarations: AuthorizationDeclarations, scope: string, only?: ReadonlySet<string>): string {
  const details = Object.entries(declarations.claims[scope]!).filter(([claim]) => !only || only.has(claim)).map(([claim, source]) => {
    if (source === 'groups') return t('consent.detail.groups');
    if (source === 'roles') return t('consent.detail.roles');
    return declarations.attributes.find((attribute) => `attribute.${attribute.name}` === source)?.label ?? claim;
  });
  return [...new Set(details)].join(', ');
}

/** The scope that releases a claim, if any: an OpenID scope or one of the operator's claim scopes. */
function scopeReleasing(claim: string, declarations: AuthorizationDeclarations | undefined): string | undefined {
  const standard = Object.entries(SCOPE_CLAIMS).find(([, claims]) => (claims as readonly string[]).includes(claim))?.[0];
  return standard ?? Object.entries(declarations?.claims ?? {}).find(([, claims]) => Object.hasOwn(claims, claim))?.[0];
}

/**
 * The scopes the request names, and those whose claims it asks for by name (the `claims`
 * parameter), each with the claims asked of it when the scope itself was not asked for.
 */
function scopesAskedFor(request: PermissionRequest): Map<string, Set<string> | undefined> {
  const asked = new Map<string, Set<string> | undefined>(request.scopes.map((scope) => [scope, undefined]));
  for (const claim of request.claims ?? []) {
    const scope = scopeReleasing(claim, request.declarations);
    if (scope === undefined || (asked.has(scope) && asked.get(scope) === undefined)) continue;
    asked.set(scope, new Set([...asked.get(scope) ?? [], claim]));
  }
  return asked;
}

/** What the app would be allowed to do, one plain sentence per permission, in the page's language. */
export async function describePermissions(t: Translate, request: PermissionRequest): Promise<string[]> {
  const sentences = [...scopesAskedFor(request)].map(([scope, claims]) => {
    if (KNOWN_SCOPES.has(scope)) return t(`consent.scope.${scope}`, { client: request.client });
    if (request.declarations && Object.hasOwn(request.declarations.claims, scope)) {
      return t('consent.scope.claims', { details: claimScopeDetails(t, request.declarations, scope, claims) });
    }
    return t('consent.scope.other', { scope });
  });
  for (const [indicator, scopes] of Object.entries(request.resources)) {
    const api = (await request.resourceName(indicator)) ?? ((URL.canParse(indicator) && new URL(indicator).host) || indicator);
    sentences.push(scopes.length
      ? t('consent.api.withScopes', { api, scopes: scopes.join(', ') })
      : t('consent.api.plain', { api }));
  }
  return sentences;
}

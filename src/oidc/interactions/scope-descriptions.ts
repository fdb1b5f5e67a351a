import type { AuthorizationDeclarations } from '../../config/schema.ts';
import type { Translate } from '../../i18n/i18n.ts';

/** The scopes Keyline explains in its own words; any other gets a generic sentence naming it. */
const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access', 'groups']);

export interface PermissionRequest {
  client: string;
  scopes: string[];
  /** resource indicator → the API scopes asked for */
  resources: Record<string, string[]>;
  resourceName(indicator: string): Promise<string | undefined>;
  /** The operator's claim scopes, each explained by what it releases (an attribute by its label). */
  declarations?: AuthorizationDeclarations;
}

/** "department, your groups": what a claim scope releases, in the page's language. */
function claimScopeDetails(t: Translate, declarations: AuthorizationDeclarations, scope: string): string {
  const details = Object.entries(declarations.claims[scope]!).map(([claim, source]) => {
    if (source === 'groups') return t('consent.detail.groups');
    if (source === 'roles') return t('consent.detail.roles');
    return declarations.attributes.find((attribute) => `attribute.${attribute.name}` === source)?.label ?? claim;
  });
  return [...new Set(details)].join(', ');
}

/** What the app would be allowed to do, one plain sentence per permission, in the page's language. */
export async function describePermissions(t: Translate, request: PermissionRequest): Promise<string[]> {
  const sentences = request.scopes.map((scope) => {
    if (KNOWN_SCOPES.has(scope)) return t(`consent.scope.${scope}`, { client: request.client });
    if (request.declarations && Object.hasOwn(request.declarations.claims, scope)) {
      return t('consent.scope.claims', { details: claimScopeDetails(t, request.declarations, scope) });
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

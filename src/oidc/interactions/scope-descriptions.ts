import type { Translate } from '../../i18n/i18n.ts';

/** The scopes Keyline explains in its own words; any other gets a generic sentence naming it. */
const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface PermissionRequest {
  client: string;
  scopes: string[];
  /** resource indicator → the API scopes asked for */
  resources: Record<string, string[]>;
  resourceName(indicator: string): Promise<string | undefined>;
}

/** What the app would be allowed to do, one plain sentence per permission, in the page's language. */
export async function describePermissions(t: Translate, request: PermissionRequest): Promise<string[]> {
  const sentences = request.scopes.map((scope) => (KNOWN_SCOPES.has(scope)
    ? t(`consent.scope.${scope}`, { client: request.client })
    : t('consent.scope.other', { scope })));
  for (const [indicator, scopes] of Object.entries(request.resources)) {
    const api = (await request.resourceName(indicator)) ?? ((URL.canParse(indicator) && new URL(indicator).host) || indicator);
    sentences.push(scopes.length
      ? t('consent.api.withScopes', { api, scopes: scopes.join(', ') })
      : t('consent.api.plain', { api }));
  }
  return sentences;
}

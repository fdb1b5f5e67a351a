import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { isAccountClient } from '../account/account-client.ts';
import type { Store } from '../store/store.ts';

/**
 * The grant for this session, or else one rebuilt from the consent the user gave this client before,
 * so a returning user is not asked again for what they already allowed (as Keycloak and Auth0 do).
 */
export function loadExistingGrant(store: Store) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { client, session, result, provider } = ctx.oidc;
    if (!client || !session) return undefined;
    if (isAccountClient(client.clientId) && session.accountId) {
      // Keyline's own account pages: there is nothing to consent to.
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    }
    const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    if (grantId) {
      const grant = await provider.Grant.find(grantId);
      if (grant) return grant;
    }
    if (!session.accountId) return undefined;
    const consent = await store.consents.find(session.accountId, client.clientId);
    if (!consent) return undefined;
    const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    if (consent.scopes.length) grant.addOIDCScope(consent.scopes.join(' '));
    if (consent.claims.length) grant.addOIDCClaims(consent.claims);
    for (const [resource, scopes] of Object.entries(consent.resources)) grant.addResourceScope(resource, scopes.join(' '));
    await grant.save();
    return grant;
  };
}

/** Records what a consent granted, merged with what was granted before. */
export async function rememberConsent(store: Store, grant: Grant): Promise<void> {
  const accountId = grant.accountId!;
  const clientId = grant.clientId!;
  const previous = await store.consents.find(accountId, clientId);
  const union = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])].sort();
  const resources: Record<string, string[]> = { ...previous?.resources };
  for (const [resource, scope] of Object.entries(grant.resources ?? {})) {
    resources[resource] = union(resources[resource], String(scope).split(' ').filter(Boolean));
  }
  await store.consents.save({
    accountId,
    clientId,
    scopes: union(previous?.scopes, (grant.openid?.scope ?? '').split(' ').filter(Boolean)),
    claims: union(previous?.claims, grant.openid?.claims ?? []),
    resources,
    updatedAt: new Date(),
  });
}

import { describePermissions } from '../../oidc/interactions/scope-descriptions.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';

/** Every client the person allowed, with what it was allowed, in the words of the consent page. */
export async function renderAppsPage(deps: AccountDeps, ctx: AccountContext): Promise<void> {
  const { account, csrfToken } = ctx.state.signedIn!;
  const consents = await deps.store.consents.listForAccount(account.id);
  const apps = await Promise.all(consents.map(async (consent) => {
    const client = await deps.store.clients.find(consent.clientId);
    const name = typeof client?.metadata.client_name === 'string' ? client.metadata.client_name : consent.clientId;
    return {
      clientId: consent.clientId,
      name,
      since: consent.updatedAt,
      permissions: await describePermissions(ctx.state.t, {
        client: name,
        scopes: consent.scopes.filter((scope) => scope !== 'openid'),
        claims: consent.claims,
        resources: consent.resources,
        resourceName: async (indicator) => (await deps.resources.find(indicator))?.name ?? undefined,
        declarations: deps.declarations,
      }),
    };
  }));
  deps.pages.render(ctx, 'account-apps', {
    page: 'apps', csrfToken, email: account.email, apps, done: ctx.query.done === 'removed' ? 'removed' : undefined,
  });
}

import type { AccountContext, AccountDeps } from '../account-context.ts';
import { accountDataExport } from './account-data-export.ts';

/**
 * "Download my data": the signed-in person's own data as a JSON file (GDPR art. 15 and 20). A POST
 * with the page's CSRF token, so another site cannot make a browser fetch it; recorded in the
 * audit trail before it is handed out.
 */
export function downloadData(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const document = await accountDataExport(deps.store, deps.provider.issuer, account, deps.dataExportAuditEvents);
    await deps.securityEvents.record({
      type: 'account.data_exported', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip,
      requestId: ctx.state.requestId, data: { format: document.format, during: 'account' },
    }, ctx.state.log);
    ctx.type = 'application/json; charset=utf-8';
    ctx.attachment(`account-data-${document.exportedAt.slice(0, 10)}.json`);
    ctx.body = `${JSON.stringify(document, null, 2)}\n`;
  };
}

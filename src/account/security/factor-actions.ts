import { factorCredentialChange } from '../../accounts/factors/factor-credential-change.ts';
import { hasPassword } from '../../accounts/no-password.ts';
import { removeLastPasskeyGuarded } from '../../federation/linked-identities.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { recordFactorChange } from './factor-change-events.ts';
import { renderSecurityPage } from './security-page.ts';

function backWith(ctx: AccountContext, done: string): void {
  ctx.status = 303;
  ctx.redirect(`/account/security?done=${done}`);
}

export function renameFactor(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const name = (ctx.state.form?.name ?? '').trim().slice(0, 80);
    if (!name) {
      await renderSecurityPage(deps, ctx, { error: 'name_required', status: 400 });
      return;
    }
    if (await deps.store.factors.rename(account.id, ctx.params.id!, name)) {
      await recordFactorChange(deps, ctx, 'mfa.renamed', { factorId: ctx.params.id, name });
    }
    backWith(ctx, 'renamed');
  };
}

/**
 * Removes a passkey or app. Where everyone must use a second factor (`mfa.required`) the last one
 * stays (the person would be made to set one up at the next sign-in anyway). Removing the last one
 * otherwise turns two-step verification off, and the recovery codes go with it.
 */
export function removeFactor(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const factors = await deps.store.factors.listByAccount(account.id);
    const factor = factors.find((candidate) => candidate.id === ctx.params.id);
    if (!factor) {
      backWith(ctx, 'removed');
      return;
    }
    if (factors.length === 1 && deps.secondFactors.everyoneNeedsMfa) {
      await renderSecurityPage(deps, ctx, { error: 'last_factor', status: 409 });
      return;
    }
    const lastFactor = factors.length === 1;
    const remove = () => deps.store.factors.remove(account.id, factor.id);
    let removed: boolean;
    if (factor.type === 'webauthn' && !hasPassword(account)) {
      // Without a password, a passkey may be the only way in: it stays while nothing else remains.
      let done = false;
      const outcome = await removeLastPasskeyGuarded(deps.store, account, async () => { done = await remove(); });
      if (outcome !== 'removed') {
        await renderSecurityPage(deps, ctx, { linkError: outcome === 'busy' ? 'busy' : 'last_passkey', status: 409 });
        return;
      }
      removed = done;
    } else {
      removed = await remove();
    }
    if (removed) {
      if (lastFactor) await deps.store.recoveryCodes.removeAllForAccount(account.id);
      await recordFactorChange(deps, ctx, 'mfa.removed', { factorId: factor.id, factorType: factor.type, name: factor.name, lastFactor });
      await deps.accounts.credentialChanged(account.id, factorCredentialChange(factor, 'delete'));
    }
    backWith(ctx, 'removed');
  };
}

import { factorCredentialChange } from '../../accounts/factors/factor-credential-change.ts';
import type { FactorRecord } from '../../store/store.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { SessionAddedFactors } from './session-added-factors.ts';

export type FactorChange = 'mfa.enrolled' | 'mfa.renamed' | 'mfa.removed' | 'mfa.recovery_codes_regenerated';

/** A factor added on the account pages: recorded, and remembered as this session's own (see security-sign-in.ts). */
export async function factorAdded(deps: AccountDeps, ctx: AccountContext, factor: FactorRecord): Promise<void> {
  await new SessionAddedFactors(deps.store).add(ctx.state.signedIn!.sessionUid, factor.id);
  await recordFactorChange(deps, ctx, 'mfa.enrolled', { factorId: factor.id, factorType: factor.type, name: factor.name });
  await deps.accounts.credentialChanged(ctx.state.signedIn!.account.id, factorCredentialChange(factor, 'create'));
}

/** Every change to how an account signs in is a security event: audit trail, log line and counter. */
export async function recordFactorChange(deps: AccountDeps, ctx: AccountContext, type: FactorChange, data: Record<string, unknown>): Promise<void> {
  const { account } = ctx.state.signedIn!;
  await deps.securityEvents.record({
    type, actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip, requestId: ctx.state.requestId,
    data: { ...data, during: 'account' },
  }, ctx.state.log);
}

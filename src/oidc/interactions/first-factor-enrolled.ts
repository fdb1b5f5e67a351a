import { factorCredentialChange } from '../../accounts/factors/factor-credential-change.ts';
import type { FactorRecord } from '../../store/store.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { recoveryCodesSealedFor } from './render-sign-in-step.ts';
import type { SignInProgress } from './sign-in-progress.ts';

/**
 * After a second factor was set up during sign-in: the event is recorded, and when it is the
 * account's first, ten recovery codes are made and kept (sealed) for the next page to show once.
 */
export async function factorEnrolled(deps: InteractionDeps, ctx: InteractionContext, progress: SignInProgress, factor: FactorRecord): Promise<SignInProgress> {
  const uid = ctx.state.interaction!.uid;
  await deps.securityEvents.record({
    type: 'mfa.enrolled', actor: `user:${progress.accountId}`, accountId: progress.accountId, ip: ctx.ip, requestId: ctx.state.requestId,
    data: { factorId: factor.id, factorType: factor.type, name: factor.name, during: 'sign-in' },
  }, ctx.state.log);
  await deps.accounts.credentialChanged(progress.accountId, factorCredentialChange(factor, 'create'));
  const { pendingTotpEnrolment: _done, ...pending } = progress;
  const rest: SignInProgress = { ...pending, enrolledDuringSignIn: true };
  const factors = await deps.store.factors.listByAccount(progress.accountId);
  if (factors.length > 1) return rest;
  const codes = await deps.secondFactors.recoveryCodes.regenerate(progress.accountId);
  return { ...rest, sealedNewRecoveryCodes: deps.secondFactors.sealer.encrypt(JSON.stringify(codes), recoveryCodesSealedFor(uid)) };
}

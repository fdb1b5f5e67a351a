import { secondFactorSubject } from '../../accounts/throttle/credential-throttle.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderSignInStep } from './render-sign-in-step.ts';
import type { SignInProgress } from './sign-in-progress.ts';

export interface CountedAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

/**
 * A one-time or recovery code is as guessable as a password: it goes through the same throttle, on
 * the account's second-factor counters (never the password's, see secondFactorSubject) and the
 * client IP's. Refused attempts answer 429 with the wait, on the page they came from; undefined then.
 */
export async function throttleSecondFactor(
  deps: InteractionDeps, ctx: InteractionContext, progress: SignInProgress, method: 'totp' | 'recovery_code' | 'passkey',
): Promise<CountedAttempt | undefined> {
  const interaction = ctx.state.interaction!;
  const account = await deps.accounts.findById(progress.accountId);
  const event = { accountId: progress.accountId, email: account?.email ?? `account:${progress.accountId}`, clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId };
  const attempt = await deps.credentialThrottle.begin(secondFactorSubject(progress.accountId), ctx.ip);
  if (!attempt.allowed) {
    ctx.set('Retry-After', String(attempt.retryAfterSeconds));
    await deps.securityEvents.record({
      type: 'login.failed', actor: `user:${progress.accountId}`, ...event,
      data: { method, reason: 'throttled', throttle: attempt.reason, retryAfterSeconds: attempt.retryAfterSeconds },
    }, ctx.state.log);
    ctx.state.errorCode = 'login_throttled';
    if (ctx.state.json) {
      ctx.status = 429;
      ctx.body = { error: 'throttled', retry_after: attempt.retryAfterSeconds };
    } else {
      await renderSignInStep(deps, ctx, interaction, progress, { error: 'throttled', status: 429 });
    }
    return undefined;
  }
  return {
    succeeded: () => attempt.succeeded(),
    failed: async () => {
      await deps.securityEvents.record({
        type: 'login.failed', actor: `user:${progress.accountId}`, ...event, data: { method, reason: 'bad_credentials' },
      }, ctx.state.log);
    },
  };
}

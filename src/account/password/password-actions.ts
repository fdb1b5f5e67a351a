import { hasPassword } from '../../accounts/no-password.ts';
import { passwordProblemCode } from '../../accounts/password-policy.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { renderPasswordPage } from './password-page.ts';

/**
 * Changes the password: the current one first, through the same throttle as a sign-in (a stolen
 * session cannot guess it faster than a login form could). The new one follows the same policy as
 * everywhere. Every other session and grant ends; this one stays.
 */
export function changePassword(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account, sessionUid } = ctx.state.signedIn!;
    const form = ctx.state.form!;
    const event = { actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip, requestId: ctx.state.requestId };
    const first = !hasPassword(account);
    if (first) {
      // No password to confirm: the route already asked for a recent sign-in (first-password.ts).
      const problem = passwordProblemCode(form.password ?? '');
      if (problem) {
        renderPasswordPage(deps, ctx, { error: problem, status: 400 });
        return;
      }
      await deps.accounts.setPassword(account.email, form.password!, 'user', sessionUid);
      await deps.securityEvents.record({ type: 'password.changed', ...event, data: { during: 'account', first: true, otherSessionsEnded: true } }, ctx.state.log);
      ctx.status = 303;
      ctx.redirect('/account/password?done=changed');
      return;
    }
    const attempt = await deps.credentialThrottle.begin(account.email, ctx.ip);
    if (!attempt.allowed) {
      ctx.set('Retry-After', String(attempt.retryAfterSeconds));
      await deps.securityEvents.record({ type: 'password.change_failed', ...event, data: { reason: 'throttled' } }, ctx.state.log);
      renderPasswordPage(deps, ctx, { error: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds, status: 429 });
      return;
    }
    if (!await deps.accounts.authenticate(account.email, form.current ?? '')) {
      await deps.securityEvents.record({ type: 'password.change_failed', ...event, data: { reason: 'wrong_password' } }, ctx.state.log);
      renderPasswordPage(deps, ctx, { error: 'wrong_password', status: 400 });
      return;
    }
    await attempt.succeeded();
    const problem = passwordProblemCode(form.password ?? '');
    if (problem) {
      renderPasswordPage(deps, ctx, { error: problem, status: 400 });
      return;
    }
    await deps.accounts.setPassword(account.email, form.password!, 'user', sessionUid);
    await deps.securityEvents.record({ type: 'password.changed', ...event, data: { during: 'account', otherSessionsEnded: true } }, ctx.state.log);
    ctx.status = 303;
    ctx.redirect('/account/password?done=changed');
  };
}

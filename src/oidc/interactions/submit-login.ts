import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderLoginPage } from './render-login-page.ts';

/**
 * Checks the throttle, then the credentials. An unknown email, a wrong password and a disabled
 * account get the same status, text and (one argon2 verification) time.
 */
export function submitLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const form = ctx.state.form ?? {};
    const email = (form.email ?? '').slice(0, 320);
    const switchAccount = form.account === 'other';

    const verdict = await deps.loginThrottle.check(email, ctx.ip);
    if (!verdict.allowed) {
      ctx.set('Retry-After', String(verdict.retryAfterSeconds));
      ctx.state.log.warn({ event: 'login.throttled', reason: verdict.reason }, 'login throttled');
      ctx.state.errorCode = 'login_throttled';
      await renderLoginPage(deps, ctx, interaction, {
        email, switchAccount, error: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds, status: 429,
      });
      return;
    }

    const account = await deps.accounts.authenticate(email, form.password ?? '');
    if (!account) {
      await deps.loginThrottle.recordFailure(email, ctx.ip);
      ctx.state.log.info({ event: 'login.failed', interaction: interaction.uid }, 'login failed');
      ctx.state.errorCode = 'invalid_credentials';
      await renderLoginPage(deps, ctx, interaction, { email, switchAccount, error: 'invalid_credentials', status: 401 });
      return;
    }
    await deps.loginThrottle.recordSuccess(email);
    ctx.state.log.info({ event: 'login.succeeded', accountId: account.id }, 'login succeeded');
    await finishInteraction(deps, ctx, { login: { accountId: account.id, remember: form.remember === 'yes' } });
  };
}

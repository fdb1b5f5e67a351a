import { normalizeEmail } from '../../accounts/accounts-service.ts';
import type { Refusal } from '../../accounts/throttle/throttle-verdict.ts';
import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderLoginPage } from './render-login-page.ts';

const LOGIN_FAILED = 'The email or password is not right.';

function throttledMessage(verdict: Refusal): string {
  const seconds = verdict.retryAfterSeconds;
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `Too many failed sign-in attempts. Try again in ${wait}.`;
}

/**
 * Counts the attempt, then checks the credentials. An unknown email, a wrong password and a
 * disabled account get the same status, text and (one argon2 verification) time.
 */
export function submitLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const form = ctx.state.form ?? {};
    const email = (form.email ?? '').slice(0, 320);

    const attempt = await deps.credentialThrottle.begin(normalizeEmail(email), ctx.ip);
    if (!attempt.allowed) {
      ctx.set('Retry-After', String(attempt.retryAfterSeconds));
      ctx.state.log.warn({ event: 'login.throttled', reason: attempt.reason }, 'login throttled');
      await renderLoginPage(deps, ctx, interaction, { email, error: throttledMessage(attempt), status: 429 });
      return;
    }

    const account = await deps.accounts.authenticate(email, form.password ?? '');
    if (!account) {
      ctx.state.log.info({ event: 'login.failed', interaction: interaction.uid }, 'login failed');
      await renderLoginPage(deps, ctx, interaction, { email, error: LOGIN_FAILED, status: 401 });
      return;
    }
    await attempt.succeeded();
    ctx.state.log.info({ event: 'login.succeeded', accountId: account.id }, 'login succeeded');
    await finishInteraction(deps, ctx, { login: { accountId: account.id, remember: form.remember === 'yes' } });
  };
}

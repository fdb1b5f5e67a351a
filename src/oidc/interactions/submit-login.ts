import { normalizeEmail } from '../../accounts/accounts-service.ts';
import { continueSignIn } from './continue-sign-in.ts';
import { keepMeSignedIn } from './keep-me-signed-in.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderLoginPage } from './render-login-page.ts';
import { homeRealmOf } from '../../federation/home-realm.ts';
import { startUpstreamStep } from '../../federation/start-upstream-step.ts';

/**
 * The password step. Counts the attempt, then checks the credentials. An unknown email, a wrong
 * password and a disabled account get the same status, text and (one argon2 verification) time.
 * A right password continues the sign-in: finished, or on to a second factor.
 */
export function submitLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const form = ctx.state.form ?? {};
    const email = (form.email ?? '').slice(0, 320);
    const switchAccount = form.account === 'other';

    // Home-realm discovery holds for a password post too: an address in a domain an offered upstream
    // claims signs in there, never with a local password (the directory decides who that person is).
    const realm = await homeRealmOf(deps, interaction, email);
    if (realm) {
      await startUpstreamStep(deps, ctx, realm, email);
      return;
    }

    const subject = normalizeEmail(email);
    const clientId = String(interaction.params.client_id);
    const request = { email: subject, clientId, ip: ctx.ip, requestId: ctx.state.requestId };
    const attempt = await deps.credentialThrottle.begin(subject, ctx.ip);
    if (!attempt.allowed) {
      ctx.set('Retry-After', String(attempt.retryAfterSeconds));
      if (attempt.lockedNow) {
        await deps.securityEvents.record({
          type: 'account.locked', actor: 'system', ...request,
          data: { until: new Date(Date.now() + attempt.retryAfterSeconds * 1000).toISOString(), scope: 'this IP' },
        }, ctx.state.log);
      }
      await deps.securityEvents.record({
        type: 'login.failed', actor: 'anonymous', accountId: null, ...request,
        data: { method: 'password', reason: 'throttled', throttle: attempt.reason, retryAfterSeconds: attempt.retryAfterSeconds, interaction: interaction.uid },
      }, ctx.state.log);
      ctx.state.errorCode = 'login_throttled';
      await renderLoginPage(deps, ctx, interaction, {
        email, switchAccount, error: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds, status: 429,
      });
      return;
    }

    const account = await deps.accounts.authenticate(email, form.password ?? '');
    if (!account) {
      await deps.securityEvents.record({
        type: 'login.failed', actor: 'anonymous', accountId: null, ...request,
        data: { method: 'password', reason: 'bad_credentials', interaction: interaction.uid },
      }, ctx.state.log);
      ctx.state.errorCode = 'invalid_credentials';
      await renderLoginPage(deps, ctx, interaction, { email, switchAccount, error: 'invalid_credentials', status: 401 });
      return;
    }
    await attempt.succeeded();
    const gate = deps.selfService;
    if (gate && !gate.allowUnverifiedLogin && await gate.pendingSignUps.awaitsVerification(account)) {
      await deps.securityEvents.record({
        type: 'login.failed', actor: `user:${account.id}`, ...request, accountId: account.id,
        data: { method: 'password', reason: 'email_unverified', interaction: interaction.uid },
      }, ctx.state.log);
      ctx.state.errorCode = 'email_unverified';
      await renderLoginPage(deps, ctx, interaction, { email, switchAccount, error: 'unverified', status: 403 });
      return;
    }
    // Only "Confirm it's you" has no box; "Use another account" (switchAccount) shows it.
    await continueSignIn(deps, ctx, {
      accountId: account.id, amr: ['pwd'], remember: await keepMeSignedIn(deps, interaction, account.id, { shown: switchAccount, ticked: form.remember === 'yes' }), authTime: Math.floor(Date.now() / 1000),
    });
  };
}

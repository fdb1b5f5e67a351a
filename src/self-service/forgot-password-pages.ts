import { formatWait } from '../i18n/format-wait.ts';
import { formTokenFor } from './self-service-csrf.ts';
import { originOf, returnPath, type SelfServiceContext, type SelfServiceDeps } from './self-service-context.ts';

export function showForgotPassword(deps: SelfServiceDeps) {
  return (ctx: SelfServiceContext): void => {
    deps.pages.render(ctx, 'forgot-password', {
      csrfToken: formTokenFor(ctx, deps.csrfSecret), email: '', returnTo: returnPath(ctx.query.return),
    });
  };
}

/**
 * The same page, status and (about) time whether or not the address has an account; only an IP
 * that asked too often is told to wait (that reveals the limit, not an account).
 */
export function submitForgotPassword(deps: SelfServiceDeps) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const form = ctx.state.form ?? {};
    const email = (form.email ?? '').trim().slice(0, 320);
    const returnTo = returnPath(form.return);
    const throttled = await deps.selfService.reset.request(email, originOf(ctx));
    if (throttled) {
      ctx.set('Retry-After', String(throttled.retryAfterSeconds));
      ctx.state.errorCode = 'reset_throttled';
      deps.pages.render(ctx, 'forgot-password', {
        csrfToken: formTokenFor(ctx, deps.csrfSecret), email, returnTo, error: 'throttled',
        retryAfterSeconds: throttled.retryAfterSeconds, waitText: formatWait(ctx.state.locale, throttled.retryAfterSeconds),
      }, { status: 429 });
      return;
    }
    deps.pages.render(ctx, 'self-service-notice', { notice: 'reset_requested', email, returnTo });
  };
}

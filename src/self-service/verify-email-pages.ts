import type { EmailVerification } from '../accounts/self-service/email-verification.ts';
import { renderInvalidLink } from './reset-password-pages.ts';
import { formTokenFor } from './self-service-csrf.ts';
import { originOf, type SelfServiceContext, type SelfServiceDeps } from './self-service-context.ts';

/** Following the link shows a button; only the POST uses it (link scanners in mail systems only GET). */
export function showVerifyEmail(deps: SelfServiceDeps, verification: EmailVerification) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const token = String(ctx.query.token ?? '');
    const account = await verification.peek(token);
    if (!account) return renderInvalidLink(deps, ctx);
    deps.pages.render(ctx, 'verify-email', { token, csrfToken: formTokenFor(ctx, deps.csrfSecret), email: account.email });
  };
}

export function submitVerifyEmail(deps: SelfServiceDeps, verification: EmailVerification) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const account = await verification.confirm(ctx.state.form?.token, originOf(ctx));
    if (!account) return renderInvalidLink(deps, ctx);
    deps.pages.render(ctx, 'self-service-notice', { notice: 'email_verified', email: account.email });
  };
}

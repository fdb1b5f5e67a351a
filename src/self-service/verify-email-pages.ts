import type { EmailVerification, OpenVerificationLink } from '../accounts/self-service/email-verification.ts';
import { MIN_PASSWORD_LENGTH, passwordProblemCode } from '../accounts/password-policy.ts';
import { renderInvalidLink } from './reset-password-pages.ts';
import { formTokenFor } from './self-service-csrf.ts';
import { originOf, type SelfServiceContext, type SelfServiceDeps } from './self-service-context.ts';

function renderVerifyPage(
  deps: SelfServiceDeps, ctx: SelfServiceContext, token: string, link: OpenVerificationLink,
  { error, problem, status = 200 }: { error?: 'password_required' | 'weak_password'; problem?: string; status?: number } = {},
): void {
  deps.pages.render(ctx, 'verify-email', {
    token, csrfToken: formTokenFor(ctx, deps.csrfSecret), email: link.account.email, askPassword: link.pendingSignUp,
    minLength: MIN_PASSWORD_LENGTH, error, problem,
  }, { status });
}

/** Following the link shows a button; only the POST uses it (link scanners in mail systems only GET). */
export function showVerifyEmail(deps: SelfServiceDeps, verification: EmailVerification) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const token = String(ctx.query.token ?? '');
    const link = await verification.peek(token);
    if (!link) return renderInvalidLink(deps, ctx);
    renderVerifyPage(deps, ctx, token, link);
  };
}

export function submitVerifyEmail(deps: SelfServiceDeps, verification: EmailVerification) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const token = ctx.state.form?.token ?? '';
    const password = ctx.state.form?.password ?? '';
    const result = await verification.confirm(token, password, originOf(ctx));
    switch (result.outcome) {
      case 'verified':
        deps.pages.render(ctx, 'self-service-notice', { notice: 'email_verified', email: result.account.email });
        return;
      case 'invalid_link':
        return renderInvalidLink(deps, ctx);
      default:
        return renderVerifyPage(deps, ctx, token, result.link, {
          error: result.outcome, problem: result.outcome === 'weak_password' ? passwordProblemCode(password) : undefined, status: 400,
        });
    }
  };
}

import type { OpenResetLink } from '../accounts/self-service/password-reset.ts';
import { formatWait } from '../i18n/format-wait.ts';
import { MIN_PASSWORD_LENGTH, passwordProblemCode } from '../accounts/password-policy.ts';
import { formTokenFor } from './self-service-csrf.ts';
import { originOf, type SelfServiceContext, type SelfServiceDeps } from './self-service-context.ts';

interface ResetPageState {
  error?: string;
  problem?: string;
  retryAfterSeconds?: number;
  status?: number;
}

function renderResetPage(deps: SelfServiceDeps, ctx: SelfServiceContext, token: string, link: OpenResetLink, state: ResetPageState = {}): void {
  const { status = 200, retryAfterSeconds, ...rest } = state;
  deps.pages.render(ctx, 'reset-password', {
    token, csrfToken: formTokenFor(ctx, deps.csrfSecret), email: link.account.email, secondFactor: link.secondFactor, minLength: MIN_PASSWORD_LENGTH,
    retryAfterSeconds, waitText: retryAfterSeconds === undefined ? undefined : formatWait(ctx.state.locale, retryAfterSeconds), ...rest,
  }, { status });
}

/** A used, expired or unknown link: one page for all three, which says how to get a new one. */
export function renderInvalidLink(deps: SelfServiceDeps, ctx: SelfServiceContext): void {
  ctx.state.errorCode = 'invalid_link';
  deps.pages.render(ctx, 'self-service-notice', { notice: 'link_invalid', canRequestReset: deps.selfService.canRequestReset }, { status: 410 });
}

export function showResetPassword(deps: SelfServiceDeps) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const token = String(ctx.query.token ?? '');
    const link = await deps.selfService.reset.open(token);
    if (!link) return renderInvalidLink(deps, ctx);
    renderResetPage(deps, ctx, token, link);
  };
}

const STATUS = { second_factor_required: 400, wrong_code: 401, second_factor_unavailable: 403 } as const;

export function submitResetPassword(deps: SelfServiceDeps) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const form = ctx.state.form ?? {};
    const token = form.token ?? '';
    const password = form.password ?? '';
    const result = await deps.selfService.reset.complete(token, { form: { password, code: form.code, recoveryCode: form.recovery_code } }, originOf(ctx));
    switch (result.outcome) {
      case 'done':
        deps.pages.render(ctx, 'self-service-notice', { notice: 'reset_done' });
        return;
      case 'invalid_link':
        return renderInvalidLink(deps, ctx);
      case 'weak_password': {
        const link = await deps.selfService.reset.open(token);
        if (!link) return renderInvalidLink(deps, ctx);
        return renderResetPage(deps, ctx, token, link, { error: 'weak_password', problem: passwordProblemCode(password), status: 400 });
      }
      case 'throttled':
        ctx.set('Retry-After', String(result.retryAfterSeconds));
        return renderResetPage(deps, ctx, token, result.link, { error: 'throttled', retryAfterSeconds: result.retryAfterSeconds, status: 429 });
      default:
        return renderResetPage(deps, ctx, token, result.link, { error: result.outcome, status: STATUS[result.outcome] });
    }
  };
}

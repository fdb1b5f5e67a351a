import type { SignUp, SignUpProblem } from '../accounts/self-service/sign-up.ts';
import { formatWait } from '../i18n/format-wait.ts';
import { MIN_PASSWORD_LENGTH, passwordProblemCode } from '../accounts/password-policy.ts';
import { formTokenFor } from './self-service-csrf.ts';
import { originOf, returnPath, type SelfServiceContext, type SelfServiceDeps } from './self-service-context.ts';

interface SignUpPageState {
  email?: string;
  name?: string;
  password?: string;
  returnTo?: string;
  problems?: SignUpProblem[];
  error?: 'throttled';
  retryAfterSeconds?: number;
  status?: number;
}

function renderSignUpPage(deps: SelfServiceDeps, ctx: SelfServiceContext, signUp: SignUp, state: SignUpPageState = {}): void {
  const { status = 200, password = '', problems = [], retryAfterSeconds, ...rest } = state;
  deps.pages.render(ctx, 'sign-up', {
    csrfToken: formTokenFor(ctx, deps.csrfSecret), email: '', name: '', problems, passwordProblem: passwordProblemCode(password),
    minLength: MIN_PASSWORD_LENGTH, allowedDomains: signUp.allowedDomains, retryAfterSeconds,
    waitText: retryAfterSeconds === undefined ? undefined : formatWait(ctx.state.locale, retryAfterSeconds), ...rest,
  }, { status });
}

export function showSignUp(deps: SelfServiceDeps, signUp: SignUp) {
  return (ctx: SelfServiceContext): void => renderSignUpPage(deps, ctx, signUp, { returnTo: returnPath(ctx.query.return) });
}

/** Invalid fields are marked; otherwise the same answer whether the address was new or already had an account. */
export function submitSignUp(deps: SelfServiceDeps, signUp: SignUp) {
  return async (ctx: SelfServiceContext): Promise<void> => {
    const form = ctx.state.form ?? {};
    const entered = { email: (form.email ?? '').trim().slice(0, 320), name: (form.name ?? '').slice(0, 1000), password: form.password ?? '' };
    const returnTo = returnPath(form.return);
    const result = await signUp.register(entered, originOf(ctx));
    if (result.outcome === 'invalid') {
      return renderSignUpPage(deps, ctx, signUp, { ...entered, returnTo, problems: result.problems, status: 400 });
    }
    if (result.outcome === 'throttled') {
      ctx.set('Retry-After', String(result.retryAfterSeconds));
      return renderSignUpPage(deps, ctx, signUp, {
        ...entered, password: '', returnTo, error: 'throttled', retryAfterSeconds: result.retryAfterSeconds, status: 429,
      });
    }
    deps.pages.render(ctx, 'self-service-notice', { notice: 'signed_up', email: entered.email, returnTo, canSignIn: deps.allowUnverifiedLogin });
  };
}

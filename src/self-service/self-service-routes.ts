import Router from '@koa/router';
import { SELF_SERVICE_PATHS } from '../accounts/self-service/self-service-links.ts';
import { parseForm } from '../http/parse-form.ts';
import { showForgotPassword, submitForgotPassword } from './forgot-password-pages.ts';
import { showResetPassword, submitResetPassword } from './reset-password-pages.ts';
import { checkFormToken } from './self-service-csrf.ts';
import type { SelfServiceDeps } from './self-service-context.ts';
import { showSignUp, submitSignUp } from './sign-up-pages.ts';
import { showVerifyEmail, submitVerifyEmail } from './verify-email-pages.ts';

/** The pages of the flows that need mail: forgot/reset password, verify the address, sign up. Each route is the list of its steps. */
export function selfServiceRoutes(deps: SelfServiceDeps): Router {
  const router = new Router();
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const csrf = checkFormToken(deps.csrfSecret);
  const { canRequestReset, verification, signUp } = deps.selfService;
  // The reset page serves the links `keyline users reset-link` prints, so it is there without mail too.
  router.get(SELF_SERVICE_PATHS.resetPassword, showResetPassword(deps));
  router.post(SELF_SERVICE_PATHS.resetPassword, parseForm, csrf, submitResetPassword(deps));
  if (canRequestReset) {
    router.get(SELF_SERVICE_PATHS.forgotPassword, showForgotPassword(deps));
    router.post(SELF_SERVICE_PATHS.forgotPassword, parseForm, csrf, submitForgotPassword(deps));
  }
  if (verification) {
    router.get(SELF_SERVICE_PATHS.verifyEmail, showVerifyEmail(deps, verification));
    router.post(SELF_SERVICE_PATHS.verifyEmail, parseForm, csrf, submitVerifyEmail(deps, verification));
  }
  if (signUp) {
    router.get(SELF_SERVICE_PATHS.signUp, showSignUp(deps, signUp));
    router.post(SELF_SERVICE_PATHS.signUp, parseForm, csrf, submitSignUp(deps, signUp));
  }
  return router;
}

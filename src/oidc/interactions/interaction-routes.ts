import Router from '@koa/router';
import { requireLocalLogin } from '../../federation/require-local-login.ts';
import { returnFromUpstream } from '../../federation/return-from-upstream.ts';
import { submitUpstreamChoice } from '../../federation/submit-upstream-choice.ts';
import { parseForm } from '../../http/parse-form.ts';
import { parseJson } from '../../http/parse-json.ts';
import { abortInteraction } from './abort-interaction.ts';
import { acknowledgeNotice } from './acknowledge-notice.ts';
import { checkCsrf } from './check-csrf.ts';
import { confirmTotpEnrolment } from './confirm-totp-enrolment.ts';
import type { InteractionDeps } from './interaction-context.ts';
import { loadInteraction } from './load-interaction.ts';
import { passkeyOptions } from './passkey-options.ts';
import { requireSignInProgress } from './require-sign-in-progress.ts';
import { requireStep } from './require-step.ts';
import { showPrompt } from './show-prompt.ts';
import { submitConsent } from './submit-consent.ts';
import { submitLogin } from './submit-login.ts';
import { submitPasskey } from './submit-passkey.ts';
import { submitRecoveryCode } from './submit-recovery-code.ts';
import { submitTotp } from './submit-totp.ts';
import { showUpstreamLink, submitUpstreamLink, submitUpstreamLinkPasskey, upstreamLinkPasskeyOptions } from '../../federation/upstream-link-step.ts';
import { identify } from '../../federation/identify.ts';
import { showDirectoryLogin } from '../../federation/directory-login/show-directory-login.ts';
import { submitDirectoryPassword } from '../../federation/directory-login/submit-directory-password.ts';

/** Each route is the list of its steps, in order. */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  // Login and consent responses, redirects included, must never be cached.
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const load = loadInteraction(deps);
  const csrf = checkCsrf(deps);
  const proven = requireSignInProgress(deps);
  const local = requireLocalLogin(deps);
  router.get('/', load, showPrompt(deps));
  router.post('/login', parseForm, load, csrf, local, submitLogin(deps));
  router.post('/passkey/options', parseJson, load, csrf, local, passkeyOptions(deps));
  router.post('/passkey', parseJson, load, csrf, local, submitPasskey(deps));
  router.post('/totp', parseForm, load, csrf, proven, requireStep(deps, 'totp'), submitTotp(deps));
  router.post('/recovery-code', parseForm, load, csrf, proven, requireStep(deps, 'recovery-code'), submitRecoveryCode(deps));
  router.post('/enrol/totp', parseForm, load, csrf, proven, requireStep(deps, 'enrol-totp'), confirmTotpEnrolment(deps));
  router.post('/notice', parseForm, load, csrf, proven, requireStep(deps, 'notice'), acknowledgeNotice(deps));
  router.post('/confirm', parseForm, load, csrf, submitConsent(deps));
  router.post('/upstream/:id', parseForm, load, csrf, submitUpstreamChoice(deps));
  router.get('/upstream/:id/return', load, returnFromUpstream(deps));
  router.get('/upstream-link', load, showUpstreamLink(deps));
  router.post('/upstream-link', parseForm, load, csrf, submitUpstreamLink(deps));
  router.post('/upstream-link/passkey/options', parseJson, load, csrf, upstreamLinkPasskeyOptions(deps));
  router.post('/upstream-link/passkey', parseJson, load, csrf, submitUpstreamLinkPasskey(deps));
  router.post('/abort', parseForm, load, csrf, abortInteraction(deps));
  // Directory (LDAP) upstreams and home-realm discovery (identifier-first).
  router.post('/identify', parseForm, load, csrf, identify(deps));
  router.get('/upstream/:id', load, showDirectoryLogin(deps));
  router.post('/upstream/:id/password', parseForm, load, csrf, submitDirectoryPassword(deps));
  return router;
}

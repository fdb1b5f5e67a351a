import Router from '@koa/router';
import { parseForm } from '../../http/parse-form.ts';
import { abortInteraction } from './abort-interaction.ts';
import { checkCsrf } from './check-csrf.ts';
import type { InteractionDeps } from './interaction-context.ts';
import { loadInteraction } from './load-interaction.ts';
import { showPrompt } from './show-prompt.ts';
import { submitConsent } from './submit-consent.ts';
import { submitLogin } from './submit-login.ts';

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
  router.get('/', load, showPrompt(deps));
  router.post('/login', parseForm, load, csrf, submitLogin(deps));
  router.post('/confirm', parseForm, load, csrf, submitConsent(deps));
  router.post('/abort', parseForm, load, csrf, abortInteraction(deps));
  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { parseForm } from '../http/parse-form.ts';
import type { FederationDeps } from './federation-deps.ts';
import { isBrowserOfStep } from './upstream-browser-binding.ts';

type CallbackContext = Context & { state: KeylineState; params: Record<string, string> };

const MAX_PARAMETERS = 30;

/** Said for every callback that belongs to no sign-in in progress, whatever the reason, so none can be told apart. */
const NOT_IN_PROGRESS = 'This answer from the sign-in provider belongs to no sign-in in progress (it was used already, or has expired). Go back to the application and start again.';

/**
 * `GET|POST /federation/<id>/callback` (POST for form_post, as Sign in with Apple answers): takes the
 * redirect step its `state` names, once across nodes, checks it was sent to this very upstream
 * (each upstream has its own callback: an answer arriving at another's is a mix-up) and arrived in
 * the browser that started it (its binding cookie: an upstream sign-in link sent to someone else
 * must not sign its sender in as them; the step is spent either way), keeps the
 * parameters for that interaction and sends the browser to the interaction's own return route,
 * where the interaction cookie proves it is the browser that started the sign-in. Nothing from
 * the upstream is checked or shown here: the connector does that on the return route.
 */
export function upstreamCallbackRoutes(federation: FederationDeps): Router {
  const router = new Router({ prefix: '/federation/:id' });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const callback = async (ctx: CallbackContext) => {
    const parameters = ctx.method === 'POST' ? ctx.state.form ?? {} : firstValues(ctx.querystring);
    if (Object.keys(parameters).length > MAX_PARAMETERS) throw new HttpError(400, 'invalid_request', 'Too many parameters.');
    const upstreamId = ctx.params.id ?? '';
    if (!await federation.directory.enabled(upstreamId)) throw new HttpError(404, 'not_found', 'There is no such sign-in provider.');
    const state = parameters.state;
    if (!state || state.length > 512) throw new HttpError(400, 'invalid_request', NOT_IN_PROGRESS, { kind: 'expired' });
    const step = await federation.pendingSteps.take(state);
    const refused = !step ? 'unknown or used state' : step.upstreamId !== upstreamId ? 'answer for another upstream'
      : !isBrowserOfStep(ctx, step.browser) ? 'answer in another browser than the one that started it' : undefined;
    if (!step || refused) {
      ctx.state.log.warn({ event: 'federation.callback_refused', upstream: upstreamId, reason: refused }, 'an upstream callback belongs to no sign-in in progress');
      throw new HttpError(400, 'invalid_request', NOT_IN_PROGRESS, { kind: 'expired' });
    }
    await federation.answers.save(step.interactionUid, { upstreamId, parameters, pending: step.pending });
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(step.interactionUid)}/upstream/${encodeURIComponent(upstreamId)}/return`);
  };
  router.get('/callback', callback);
  router.post('/callback', parseForm, callback);
  return router;
}

function firstValues(query: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) if (!(key in values)) values[key] = value;
  return values;
}

import { HttpError } from '../../http/http-error.ts';
import { rememberConsent } from '../remembered-consent.ts';
import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** Grants what the consent page listed, remembers it for this client, and resumes the authorization. */
export function submitConsent(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const { prompt, params, session, grantId } = ctx.state.interaction!;
    if (prompt.name !== 'consent' || !session?.accountId) {
      throw new HttpError(400, 'unexpected_consent', 'There is nothing to consent to at this step. Go back to the application and start again.');
    }
    const { Grant } = deps.provider;
    const grant = (grantId ? await Grant.find(grantId) : undefined)
      ?? new Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    const details = prompt.details as ConsentDetails;
    if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const savedGrantId = await grant.save();
    await rememberConsent(deps.store, grant);
    await deps.securityEvents.record({
      type: 'consent.granted', actor: `user:${session.accountId}`, accountId: session.accountId, clientId: String(params.client_id),
      ip: ctx.ip, requestId: ctx.state.requestId,
      data: {
        grantId: savedGrantId, scopes: details.missingOIDCScope ?? [], claims: details.missingOIDCClaims ?? [],
        resources: details.missingResourceScopes ?? {},
      },
    }, ctx.state.log);
    await finishInteraction(deps, ctx, { consent: { grantId: savedGrantId } });
  };
}

import type { AmrValue } from '../accounts/authentication-level.ts';
import { continueSignIn, type Answer } from '../oidc/interactions/continue-sign-in.ts';
import { csrfTokenFor } from '../oidc/interactions/csrf-token.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import type { AccountRecord, UpstreamRecord } from '../store/store.ts';
import { applyUpstreamMapping } from './apply-upstream-mapping.ts';
import { mapIdentity } from './map-identity.ts';
import { resolveUpstreamAccount, type UpstreamRefusal } from './upstream-account.ts';
import { upstreamAmr } from './upstream-amr.ts';
import type { UpstreamIdentity } from './upstream.ts';
import { recordUpstreamSession } from './upstream-sessions.ts';

/** The path of the link-your-account step of an interaction. */
export const upstreamLinkPath = (uid: string) => `/interaction/${uid}/upstream-link`;

function eventBase(ctx: InteractionContext, account: AccountRecord) {
  const interaction = ctx.state.interaction!;
  return {
    actor: `user:${account.id}`, accountId: account.id, email: account.email,
    clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId,
  };
}

/** An upstream identity that gets no account here: said plainly, with the way back to the login page. */
async function refuse(deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, refusal: UpstreamRefusal): Promise<void> {
  const interaction = ctx.state.interaction!;
  await deps.securityEvents.record({
    type: 'login.failed', actor: `upstream:${upstream.id}`, accountId: null, clientId: String(interaction.params.client_id),
    ip: ctx.ip, requestId: ctx.state.requestId, data: { method: 'fed', upstream: upstream.id, reason: `upstream_${refusal}`, interaction: interaction.uid },
  }, ctx.state.log);
  ctx.state.errorCode = 'access_denied';
  deps.pages.render(ctx, 'upstream-refused', {
    uid: interaction.uid, csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid), upstream: upstream.name, refusal,
  }, { status: 403 });
}

/**
 * The account is known (linked before, just provisioned, or just linked after the person proved
 * the local account): the mapping is applied, the sign-in recorded, and the sign-in continues like
 * any first factor, so Keyline's own MFA policy decides what comes next. `alsoProved` is what the
 * link step added (the local password).
 */
export async function finishUpstreamSignIn(
  deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, identity: UpstreamIdentity,
  found: { account: AccountRecord; accountCreated: boolean; linkCreated: boolean; alsoProved?: AmrValue[] }, answer: Answer = 'redirect',
): Promise<void> {
  const { account } = found;
  const base = eventBase(ctx, account);
  if (found.accountCreated) {
    await deps.securityEvents.record({ ...base, type: 'federation.account_created', data: { upstream: upstream.id, emailVerified: account.emailVerified } }, ctx.state.log);
  }
  if (found.linkCreated) {
    await deps.securityEvents.record({ ...base, type: 'federation.linked', data: { upstream: upstream.id, via: found.alsoProved?.join('+') || 'provisioning' } }, ctx.state.log);
  }
  if (upstream.sync === 'always' || found.accountCreated || found.linkCreated) {
    await applyUpstreamMapping(deps, upstream, account, mapIdentity(upstream.mapping, identity), ctx.state.log);
  }
  await deps.store.federatedIdentities.recordSignIn(upstream.id, identity.subject, new Date());
  await recordUpstreamSession(deps.store, { upstreamId: upstream.id, upstreamSessionId: identity.sessionId, subject: identity.subject, accountId: account.id, interactionUid: ctx.state.interaction!.uid });
  await continueSignIn(deps, ctx, {
    accountId: account.id, amr: [...new Set([...upstreamAmr(upstream.trustMfa, identity), ...(found.alsoProved ?? [])])],
    remember: false, authTime: Math.floor(Date.now() / 1000),
  }, answer);
}

/**
 * The one place an upstream step ends, whatever the type (redirect or password): the identity the
 * connector verified becomes a Keyline account by the linking rules (upstream-account.ts), and the
 * sign-in continues. Connectors and routes call it; nothing else creates accounts or links.
 */
export async function completeUpstreamSignIn(
  deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, identity: UpstreamIdentity, answer: Answer = 'redirect',
): Promise<void> {
  const interaction = ctx.state.interaction!;
  const mapped = mapIdentity(upstream.mapping, identity);
  const name = typeof mapped.profile.name === 'string' ? mapped.profile.name : null;
  const outcome = await resolveUpstreamAccount(deps, upstream, identity, { name });
  if (outcome.kind === 'refused') {
    await refuse(deps, ctx, upstream, outcome.refusal);
    return;
  }
  if (outcome.kind === 'prove-local-account') {
    await deps.federation.pendingLinks.save(interaction.uid, { upstreamId: upstream.id, accountId: outcome.account.id, identity });
    if (answer === 'json') {
      ctx.body = { location: upstreamLinkPath(interaction.uid) };
      return;
    }
    ctx.status = 303;
    ctx.redirect(upstreamLinkPath(interaction.uid));
    return;
  }
  await finishUpstreamSignIn(deps, ctx, upstream, identity, outcome, answer);
}

import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AmrValue } from '../accounts/authentication-level.ts';
import { HttpError } from '../http/http-error.ts';
import type { Answer } from '../oidc/interactions/continue-sign-in.ts';
import { throttleSecondFactor } from '../oidc/interactions/throttle-second-factor.ts';
import { csrfTokenFor } from '../oidc/interactions/csrf-token.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { finishUpstreamSignIn, upstreamLinkPath } from './complete-upstream-sign-in.ts';
import type { PendingUpstreamLink } from './pending-upstream-links.ts';

type LinkError = 'invalid_credentials' | 'throttled';

async function renderLinkPage(
  deps: InteractionDeps, ctx: InteractionContext, pending: PendingUpstreamLink,
  { error, retryAfterSeconds, status = 200 }: { error?: LinkError; retryAfterSeconds?: number; status?: number } = {},
): Promise<void> {
  const interaction = ctx.state.interaction!;
  const [account, upstream] = await Promise.all([deps.accounts.findById(pending.accountId), deps.federation.directory.enabled(pending.upstreamId)]);
  if (!account || !upstream) throw new HttpError(400, 'invalid_request', 'This sign-in has nothing to link any more. Start again from the sign-in page.');
  const hasPasskey = (await deps.store.factors.listByAccount(account.id)).some((factor) => factor.type === 'webauthn');
  deps.pages.render(ctx, 'upstream-link', {
    uid: interaction.uid, csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid), action: upstreamLinkPath(interaction.uid),
    email: account.email, upstream: upstream.name, error, retryAfterSeconds, hasPasskey,
  }, { status });
}

/** Only the browser of this interaction (loadInteraction ran) that an upstream step sent here has something to link. */
async function requirePending(deps: InteractionDeps, ctx: InteractionContext): Promise<PendingUpstreamLink> {
  const pending = await deps.federation.pendingLinks.load(ctx.state.interaction!.uid);
  if (!pending) throw new HttpError(400, 'invalid_request', 'This sign-in has nothing to link. Start again from the sign-in page.');
  return pending;
}

/** "An account with <email> exists. Sign in to it to link <Upstream>." */
export function showUpstreamLink(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    await renderLinkPage(deps, ctx, await requirePending(deps, ctx));
  };
}

/**
 * The person proves the local account with its password, through the one credential throttle, in
 * the interaction the upstream step began; only then is the upstream identity linked (once, even
 * when the form is posted twice at once) and the sign-in continues with both methods proved.
 */
export function submitUpstreamLink(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const pending = await requirePending(deps, ctx);
    const account = await deps.accounts.findById(pending.accountId);
    const upstream = await deps.federation.directory.enabled(pending.upstreamId);
    if (!account || !upstream) throw new HttpError(400, 'invalid_request', 'This sign-in has nothing to link any more. Start again from the sign-in page.');
    const request = { email: account.email, clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId };
    const attempt = await deps.credentialThrottle.begin(account.email, ctx.ip);
    if (!attempt.allowed) {
      ctx.set('Retry-After', String(attempt.retryAfterSeconds));
      await deps.securityEvents.record({
        type: 'login.failed', actor: 'anonymous', accountId: null, ...request,
        data: { method: 'password', reason: 'throttled', during: 'upstream-link', interaction: interaction.uid },
      }, ctx.state.log);
      await renderLinkPage(deps, ctx, pending, { error: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds, status: 429 });
      return;
    }
    const proven = await deps.accounts.authenticate(account.email, String(ctx.state.form?.password ?? '').slice(0, 1024));
    if (!proven || proven.id !== pending.accountId) {
      await deps.securityEvents.record({
        type: 'login.failed', actor: 'anonymous', accountId: null, ...request,
        data: { method: 'password', reason: 'bad_credentials', during: 'upstream-link', interaction: interaction.uid },
      }, ctx.state.log);
      await renderLinkPage(deps, ctx, pending, { error: 'invalid_credentials', status: 401 });
      return;
    }
    await attempt.succeeded();
    await linkProven(deps, ctx, proven.id, ['pwd'], 'redirect');
  };
}

/** The local account was proven in this interaction: the pending identity is linked to it (once) and the sign-in continues. */
async function linkProven(deps: InteractionDeps, ctx: InteractionContext, accountId: string, proved: AmrValue[], answer: Answer): Promise<void> {
  // A passkey proves its account whether or not it is disabled; a disabled account gets no new link and no sign-in.
  if ((await deps.accounts.findById(accountId))?.disabled) throw new HttpError(403, 'access_denied', 'This account is disabled.');
  const taken = await deps.federation.pendingLinks.take(ctx.state.interaction!.uid);
  const [account, upstream] = await Promise.all([deps.accounts.findById(accountId), taken && deps.federation.directory.enabled(taken.upstreamId)]);
  if (!taken || !account || !upstream) throw new HttpError(409, 'invalid_request', 'This link was already made in another tab. Continue from the sign-in page.');
  const { identity, created } = await deps.store.federatedIdentities.link({
    upstreamId: upstream.id, subject: taken.identity.subject, accountId: account.id, linkedAt: new Date(), lastSignInAt: null,
  });
  if (identity.accountId !== account.id) {
    throw new HttpError(409, 'invalid_request', 'This identity was linked to another account meanwhile. Start again from the sign-in page.');
  }
  await finishUpstreamSignIn(deps, ctx, upstream, taken.identity, { account, accountCreated: false, linkCreated: created, alsoProved: proved }, answer);
}

/** The WebAuthn options for proving the pending account with one of its passkeys (challenge bound to this interaction). */
export function upstreamLinkPasskeyOptions(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const pending = await requirePending(deps, ctx);
    ctx.body = await deps.secondFactors.passkeys.authenticationOptions(ctx.state.interaction!.uid, pending.accountId);
  };
}

/**
 * The person proves the pending account with one of its passkeys instead of the password: the
 * passkey must be that account's, answered to this interaction's challenge, counted by the same
 * throttle as second factors. Answers JSON for the passkey script.
 */
export function submitUpstreamLinkPasskey(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const pending = await requirePending(deps, ctx);
    // JSON only: the throttle then answers 429 as JSON (it never renders a sign-in step for this unproven account).
    const body = ctx.state.json;
    if (!body) throw new HttpError(400, 'invalid_request', 'the passkey answer comes as JSON');
    const response = body.response as { id?: unknown } | undefined;
    if (typeof response?.id !== 'string') throw new HttpError(400, 'invalid_request', 'response must be a WebAuthn credential in JSON form');
    const progress = { accountId: pending.accountId, amr: [], remember: false, authTime: Math.floor(Date.now() / 1000) };
    const attempt = await throttleSecondFactor(deps, ctx, progress, 'passkey');
    if (!attempt) return;
    const challengeId = typeof body.challengeId === 'string' ? body.challengeId : '';
    const used = await deps.secondFactors.passkeys.authenticate(interaction.uid, challengeId, response as unknown as AuthenticationResponseJSON, pending.accountId);
    if (!used) {
      await attempt.failed();
      ctx.status = 401;
      ctx.body = { error: 'passkey_failed' };
      return;
    }
    await attempt.succeeded();
    await linkProven(deps, ctx, pending.accountId, used.amr, 'json');
  };
}

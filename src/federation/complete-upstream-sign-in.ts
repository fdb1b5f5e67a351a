import { continueSignIn, type Answer } from '../oidc/interactions/continue-sign-in.ts';
import type { UpstreamRecord } from '../store/store.ts';
import { randomBytes } from 'node:crypto';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { UpstreamError, type UpstreamIdentity } from './upstream.ts';
import { recordUpstreamSession } from './upstream-sessions.ts';

/**
 * The one place an upstream step ends, whatever the type (redirect or password): the identity the
 * connector verified becomes a Keyline account (found by its link, provisioned, or linked under the
 * linking rules), and the sign-in continues like any first factor (Keyline's own MFA policy next).
 *
 * v0 (lead's contract for the connectors): an existing link signs in; otherwise the upstream's
 * provisioning decides. The accounts slice owns this file and its rules.
 */
export async function completeUpstreamSignIn(
  deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, identity: UpstreamIdentity, answer: Answer = 'redirect',
): Promise<void> {
  let linked = await deps.store.federatedIdentities.find(upstream.id, identity.subject);
  if (!linked) {
    if (upstream.provisioning !== 'create' || !identity.email) throw new UpstreamError('denied', 'this identity has no Keyline account');
    // v0: the accounts slice replaces this with the linking rules and a passwordless account.
    const account = await deps.accounts.create(identity.email, randomBytes(32).toString('base64url'), null, undefined, { emailVerified: identity.emailVerified });
    linked = (await deps.store.federatedIdentities.link({
      upstreamId: upstream.id, subject: identity.subject, accountId: account.id, linkedAt: new Date(), lastSignInAt: null,
    })).identity;
  }
  await deps.store.federatedIdentities.recordSignIn(upstream.id, identity.subject, new Date());
  await recordUpstreamSession(deps.store, { upstreamId: upstream.id, upstreamSessionId: identity.sessionId, subject: identity.subject, accountId: linked.accountId, interactionUid: ctx.state.interaction!.uid });
  await continueSignIn(deps, ctx, {
    accountId: linked.accountId, amr: [], remember: false, authTime: Math.floor(Date.now() / 1000),
  }, answer);
}

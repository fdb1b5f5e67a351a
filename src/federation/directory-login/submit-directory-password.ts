import type { InteractionContext, InteractionDeps } from '../../oidc/interactions/interaction-context.ts';
import { completeUpstreamSignIn } from '../complete-upstream-sign-in.ts';
import type { CredentialAttempt } from '../../accounts/throttle/credential-throttle.ts';
import type { Refusal } from '../../accounts/throttle/throttle-verdict.ts';
import { UpstreamError } from '../upstream.ts';
import { renderUpstreamError } from '../upstream-error-page.ts';
import { passwordStepUpstream } from './password-step-upstream.ts';
import { renderDirectoryLogin } from './render-directory-login.ts';

/** What the throttle counts a directory password under: the upstream and what was typed, as typed by anyone. */
export function directoryThrottleSubject(upstreamId: string, username: string): string {
  return `upstream:${upstreamId}:${username.trim().toLowerCase()}`;
}

/**
 * What it also counts it under once the directory has searched: the entry found, whatever spelling
 * matched it (its address or user name, in any case or width the directory's matching rules fold),
 * or, for no one, the typed name in its compatibility form, so an unknown name costs what a known one does.
 */
export function directoryEntryThrottleSubject(upstreamId: string, entryDn: string | undefined, username: string): string {
  return entryDn === undefined
    ? `upstream:${upstreamId}:nobody:${username.trim().normalize('NFKC').toLowerCase()}`
    : `upstream:${upstreamId}:entry:${entryDn.toLowerCase()}`;
}

/** The entry's own count refused the attempt before its password was checked. */
class EntryThrottled extends Error {
  readonly refusal: Refusal;

  constructor(refusal: Refusal) {
    super('the directory entry is throttled');
    this.refusal = refusal;
  }
}

/**
 * POST /interaction/:uid/upstream/:id/password: the directory password step. The one credential
 * throttle counts the attempt before the directory sees it (per upstream and user name, per IP),
 * and again under the entry the search found before its password is checked (per person);
 * a wrong password and an unknown person get the same answer; a directory that is down gets this
 * page again with a 503 and a clear message. A verified identity ends where every upstream step
 * ends, completeUpstreamSignIn.
 */
export function submitDirectoryPassword(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const upstream = await passwordStepUpstream(deps, ctx);
    const connector = deps.federation.connectors.get(upstream.type)!;
    const interaction = ctx.state.interaction!;
    const form = ctx.state.form ?? {};
    const username = (form.username ?? '').slice(0, 320);
    const password = form.password ?? '';
    const request = { email: username.trim().toLowerCase(), clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId };
    const failed = (reason: string, data: Record<string, unknown> = {}) => deps.securityEvents.record({
      type: 'login.failed', actor: 'anonymous', accountId: null, ...request,
      data: { method: 'ldap', upstream: upstream.id, reason, interaction: interaction.uid, ...data },
    }, ctx.state.log);

    const refused = async (refusal: Refusal) => {
      ctx.set('Retry-After', String(refusal.retryAfterSeconds));
      if (refusal.lockedNow) {
        await deps.securityEvents.record({
          type: 'account.locked', actor: 'system', ...request,
          data: { until: new Date(Date.now() + refusal.retryAfterSeconds * 1000).toISOString(), scope: 'this IP', upstream: upstream.id },
        }, ctx.state.log);
      }
      await failed('throttled', { throttle: refusal.reason, retryAfterSeconds: refusal.retryAfterSeconds });
      ctx.state.errorCode = 'login_throttled';
      await renderDirectoryLogin(deps, ctx, upstream, { username, error: 'throttled', retryAfterSeconds: refusal.retryAfterSeconds, status: 429 });
    };

    const attempt = await deps.credentialThrottle.begin(directoryThrottleSubject(upstream.id, username), ctx.ip);
    if (!attempt.allowed) {
      await refused(attempt);
      return;
    }
    let entryAttempt: CredentialAttempt | undefined;
    const admit = async (entryDn: string | undefined) => {
      const verdict = await deps.credentialThrottle.begin(directoryEntryThrottleSubject(upstream.id, entryDn, username), ctx.ip, { secondSubject: true });
      if (!verdict.allowed) throw new EntryThrottled(verdict);
      entryAttempt = verdict;
    };

    let identity;
    try {
      identity = await connector.finish(upstream, { kind: 'password', username, password, pending: {}, admit });
    } catch (error) {
      if (error instanceof EntryThrottled) {
        // Nothing was checked: the spelling's count is given back, as a refused attempt's always is.
        await attempt.unchecked();
        await refused(error.refusal);
        return;
      }
      if (!(error instanceof UpstreamError)) throw error;
      if (error.failure === 'invalid_credentials') {
        await failed('bad_credentials');
        ctx.state.errorCode = 'invalid_credentials';
        await renderDirectoryLogin(deps, ctx, upstream, { username, error: 'invalid_credentials', status: 401 });
        return;
      }
      // The attempt stays counted: nothing tells a real outage from one an attacker hopes to cause.
      ctx.state.log.warn({ upstream: upstream.id, failure: error.failure, reason: error.message }, 'the directory could not check a password');
      await failed('upstream_unreachable', { failure: error.failure });
      ctx.state.errorCode = 'upstream_unreachable';
      await renderDirectoryLogin(deps, ctx, upstream, { username, error: 'unavailable', status: 503 });
      return;
    }
    await Promise.all([attempt.succeeded(), entryAttempt?.succeeded()]);
    try {
      await completeUpstreamSignIn(deps, ctx, upstream, identity);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      await failed('upstream_refused', { failure: error.failure });
      ctx.state.errorCode = 'upstream_denied';
      renderUpstreamError(deps, ctx, error.failure, { upstreamId: upstream.id, reason: error.message });
    }
  };
}

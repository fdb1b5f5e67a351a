import { hash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import type { SessionEndings } from '../accounts/session-endings.ts';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { readBody } from '../http/read-body.ts';
import { firstUse } from '../oidc/replay-detection.ts';
import type { Store, UpstreamRecord } from '../store/store.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';
import { UpstreamKeys, UpstreamKeysUnavailable } from './upstream-keys.ts';
import { LogoutTokenRefused, verifyUpstreamLogoutToken } from './upstream-logout-token.ts';
import { openUpstreamSecret } from './upstream-secrets.ts';
import { SetRefused, verifyUpstreamSet, type UpstreamSignal } from './upstream-security-events.ts';
import { disableUpstreamIdentity, enableUpstreamIdentity, endUpstreamSessions, takeLogoutContinuation } from './upstream-sessions.ts';

export interface UpstreamLogoutDeps {
  store: Store;
  directory: UpstreamDirectory;
  keys: UpstreamKeys;
  endings: SessionEndings;
  sealer: SecretSealer;
  issuer: string;
}

type Ctx = Context & { state: KeylineState };

const FORM_LIMIT_BYTES = 16 * 1024;
const SET_LIMIT_BYTES = 64 * 1024;

/** `<issuer>/federation/<id>/backchannel-logout`: what to register at the upstream as the back-channel logout URI. */
export const upstreamBackchannelLogoutUrl = (issuer: string, id: string) => `${issuer}/federation/${encodeURIComponent(id)}/backchannel-logout`;
/** `<issuer>/federation/<id>/events`: the push endpoint (and the `aud`) to give the upstream's SSF transmitter. */
export const upstreamEventsUrl = (issuer: string, id: string) => `${issuer}/federation/${encodeURIComponent(id)}/events`;

async function oidcUpstream(deps: UpstreamLogoutDeps, id: string): Promise<UpstreamRecord | undefined> {
  const upstream = await deps.directory.enabled(id);
  return upstream?.type === 'oidc' && typeof upstream.settings.issuer === 'string' ? upstream : undefined;
}

function bearerMatches(header: string, expected: string): boolean {
  const presented = /^Bearer (\S+)$/i.exec(header)?.[1] ?? '';
  // Compared as digests: equal length whatever was sent, so the comparison takes the same time.
  return timingSafeEqual(hash('sha256', presented, 'buffer'), hash('sha256', expected, 'buffer')) && presented.length > 0;
}

/**
 * The upstream's word that a session ended, received: OpenID Connect Back-Channel Logout 1.0 (RP
 * side) and RFC 8935 push delivery of shared signals. Each ending goes through the one
 * session-ending path, so the clients downstream are told in turn.
 */
export function upstreamLogoutRoutes(deps: UpstreamLogoutDeps): Router<KeylineState> {
  const router = new Router<KeylineState>();

  router.post('/federation/:id/backchannel-logout', async (ctx: Ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const refuse = (why: string) => {
      ctx.state.log.info({ event: 'upstream.logout.refused', upstreamId: ctx.params.id, reason: why }, 'upstream logout token refused');
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'The logout token is not valid here.' };
    };
    const upstream = await oidcUpstream(deps, String(ctx.params.id));
    if (!upstream) return refuse('no enabled oidc upstream by this id');
    if (!ctx.is('application/x-www-form-urlencoded')) return refuse('not a form');
    let body: Buffer;
    try {
      body = await readBody(ctx, FORM_LIMIT_BYTES);
    } catch (error) {
      if (error instanceof HttpError) return refuse(error.message);
      throw error;
    }
    const tokens = new URLSearchParams(body.toString('utf8')).getAll('logout_token');
    if (tokens.length !== 1 || !tokens[0]) return refuse('exactly one logout_token is required');
    let logout;
    try {
      logout = await verifyUpstreamLogoutToken(tokens[0], upstream, deps.keys);
    } catch (error) {
      if (error instanceof LogoutTokenRefused || error instanceof UpstreamKeysUnavailable) return refuse(error.message);
      throw error;
    }
    if (!await firstUse(deps.store, `upstream-logout:${upstream.id}\n`, logout.jti, logout.rememberUntil)) return refuse('the jti was used before');
    const ended = await endUpstreamSessions(deps.store, deps.endings, {
      upstreamId: upstream.id, ...(logout.sub ? { subject: logout.sub } : {}), ...(logout.sid ? { sid: logout.sid } : {}), initiator: 'user',
    });
    ctx.state.log.info({ event: 'upstream.logout', upstreamId: upstream.id, sessionsEnded: ended }, 'upstream back-channel logout');
    ctx.status = 200;
    ctx.body = {};
  });

  router.post('/federation/:id/events', async (ctx: Ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const refuse = (status: number, err: string, description: string) => {
      ctx.state.log.info({ event: 'upstream.set.refused', upstreamId: ctx.params.id, err, reason: description }, 'upstream security event refused');
      ctx.status = status;
      ctx.body = { err, description };
    };
    const upstream = await oidcUpstream(deps, String(ctx.params.id));
    const expected = upstream && openUpstreamSecret(deps.sealer, upstream, 'ssfBearerToken');
    if (!upstream || !expected) return refuse(404, 'invalid_request', 'There is no shared-signals receiver for this upstream.');
    if (!bearerMatches(ctx.get('authorization'), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      return refuse(401, 'authentication_failed', 'The transmitter must send the bearer token configured for it.');
    }
    if (!ctx.is('application/secevent+jwt')) return refuse(400, 'invalid_request', 'A SET is sent as application/secevent+jwt.');
    let body: Buffer;
    try {
      body = await readBody(ctx, SET_LIMIT_BYTES);
    } catch (error) {
      if (error instanceof HttpError) return refuse(400, 'invalid_request', error.message);
      throw error;
    }
    let set;
    try {
      set = await verifyUpstreamSet(body.toString('utf8').trim(), upstream, deps.keys, upstreamEventsUrl(deps.issuer, upstream.id));
    } catch (error) {
      if (error instanceof SetRefused) return refuse(400, error.err, error.message);
      if (error instanceof UpstreamKeysUnavailable) return refuse(400, 'invalid_key', error.message);
      throw error;
    }
    if (!await firstUse(deps.store, `upstream-set:${upstream.id}\n`, set.jti, set.rememberUntil)) {
      return refuse(400, 'invalid_request', 'This SET (its jti) was delivered before.');
    }
    for (const signal of set.signals) await apply(deps, upstream, signal, set.issuedAt, ctx);
    ctx.status = 202;
    ctx.body = {};
  });

  // The upstream's end-session endpoint sends the browser back here (--upstream-logout): on to where
  // Keyline's own logout was going, kept server-side under the state, once; anything else lands on
  // Keyline's signed-out page, never on a URL the request names.
  router.get('/federation/:id/logged-out', async (ctx: Ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const then = state ? await takeLogoutContinuation(deps.store, state, String(ctx.params.id)) : undefined;
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(then ?? `${deps.issuer}/session/end/success`);
  });

  return router;
}

async function apply(deps: UpstreamLogoutDeps, upstream: UpstreamRecord, signal: UpstreamSignal, issuedAt: number, ctx: Ctx): Promise<void> {
  const log = (details: Record<string, unknown>) => ctx.state.log.info({ event: 'upstream.set', upstreamId: upstream.id, signal: signal.kind, ...details }, 'upstream security event');
  switch (signal.kind) {
    case 'session-revoked':
      return log({
        sessionsEnded: await endUpstreamSessions(deps.store, deps.endings, {
          upstreamId: upstream.id, subject: signal.subject, ...(signal.sid ? { sid: signal.sid } : {}), initiator: signal.initiator,
        }),
      });
    case 'account-disabled':
      return log({ recordsEnded: await disableUpstreamIdentity(deps.store, deps.endings, upstream.id, signal.subject, signal.initiator, issuedAt) });
    case 'account-enabled':
      return log({ lifted: await enableUpstreamIdentity(deps.store, upstream.id, signal.subject, issuedAt) });
    case 'ignored':
      return log({ why: signal.why });
  }
}

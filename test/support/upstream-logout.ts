/**
 * Logout from upstreams, as a test drives it: an oidc upstream (the stand-in upstream OP) added with
 * the CLI, a person whose Keyline session came through it, and the upstream's logout token or
 * security event token posted to Keyline the way the upstream would.
 *
 * Until the oidc connector is on this branch, "came through it" is the part of completeUpstreamSignIn
 * that this slice owns: the sign-in is recorded for the interaction (recordUpstreamSession, as
 * completeUpstreamSignIn calls it) and the person then finishes the interaction in the browser, so the
 * resume binds the real session exactly as after an upstream step.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, type JWTPayload } from 'jose';
import { recordUpstreamSession } from '../../src/federation/upstream-sessions.ts';
import type { Backend } from './backends.ts';
import { BrowserLikeClient } from './browser-like-client.ts';
import { useKeyline } from './keyline-fixture.ts';
import {
  authorizeUrl, continueSignIn, createTestUser, exchangeCode, pkcePair, registerTestClient, type TestClient, type TestUser,
} from './oidc-flow.ts';
import { startRecordingReceiver, type RecordingReceiver } from './recording-receiver.ts';
import { runCli } from './run-cli.ts';
import type { SignedIn } from './session-ending-paths.ts';
import { temporaryDirectory, type RunningKeyline } from './start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from './upstream-op.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
export const ACCOUNT_ENABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';

/** Keyline's client id at the stand-in upstream `id`. */
export const clientIdAt = (id: string) => `keyline-at-${id}`;

export interface AddedUpstream {
  id: string;
  op: UpstreamOp;
  /** The bearer token its SSF transmitter sends, when the receiver was turned on. */
  bearer?: string;
}

/** `keyline upstreams add <id> --type oidc --issuer <op>` (and the SSF receiver's bearer token when `receiver`). */
export async function addOidcUpstream(kl: RunningKeyline, op: UpstreamOp, id: string, options: { receiver?: boolean } = {}): Promise<AddedUpstream> {
  const args = ['upstreams', 'add', id, '--type', 'oidc', '--issuer', op.issuer, '--client-id', clientIdAt(id)];
  let bearer: string | undefined;
  const directory = temporaryDirectory('keyline-ssf-');
  try {
    if (options.receiver) {
      bearer = randomBytes(32).toString('base64url');
      const file = join(directory.path, 'bearer');
      writeFileSync(file, bearer, { mode: 0o600 });
      args.push('--ssf-bearer-token-file', file);
    }
    const result = await runCli(kl, args, 'the client secret at the upstream');
    if (result.code !== 0) throw new Error(`keyline ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  } finally {
    directory.remove();
  }
  return { id, op, ...(bearer ? { bearer } : {}) };
}

export interface UpstreamSignedIn extends SignedIn {
  /** The person's subject and session id at the upstream. */
  subject: string;
  upstreamSid: string;
  interactionUid: string;
}

/**
 * A Keyline session that came through `upstream` for `subject` (upstream session `upstreamSid`):
 * the sign-in is recorded for the interaction, then the person finishes it and the client gets its tokens.
 */
export async function signedInThroughUpstream(
  kl: RunningKeyline, client: TestClient, upstream: AddedUpstream,
  options: { user?: TestUser; subject?: string; upstreamSid?: string; beforeResume?: () => Promise<void> } = {},
): Promise<UpstreamSignedIn> {
  const user = options.user ?? await createTestUser(kl);
  const subject = options.subject ?? `upstream-${randomUUID()}`;
  const upstreamSid = options.upstreamSid ?? randomUUID();
  await kl.store.federatedIdentities.link({ upstreamId: upstream.id, subject, accountId: user.id, linkedAt: new Date(), lastSignInAt: null });
  const browser = new BrowserLikeClient();
  const { verifier, challenge } = pkcePair();
  const started = await browser.get(authorizeUrl(kl, client, {
    scope: 'openid offline_access', prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256', nonce: randomUUID(), state: randomUUID(),
  }));
  const interactionUid = /\/interaction\/([^/?#]+)/.exec(started.location ?? '')?.[1];
  if (!interactionUid) throw new Error(`the authorization request did not start an interaction: ${started.status} ${started.location}`);
  await recordUpstreamSession(kl.store, { upstreamId: upstream.id, upstreamSessionId: upstreamSid, subject, accountId: user.id, interactionUid });
  await options.beforeResume?.();
  const done = await continueSignIn(kl, browser, started, user);
  if (!done.location?.startsWith(client.redirectUri)) throw new Error(`sign-in did not reach the client: ${done.status} ${done.text.slice(0, 300)}`);
  const code = new URL(done.location).searchParams.get('code')!;
  const tokens = (await exchangeCode(kl, client, { code, verifier })).body;
  const idToken = String(tokens.id_token);
  const { sid } = decodeJwt(idToken);
  return {
    user, browser, idToken, sid: typeof sid === 'string' ? sid : undefined, refreshToken: String(tokens.refresh_token),
    subject, upstreamSid, interactionUid,
  };
}

/** A logout token as the upstream would sign it for Keyline (valid unless `claims` change it). */
export function logoutToken(upstream: AddedUpstream, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return upstream.op.sign({
    iss: upstream.op.issuer, aud: clientIdAt(upstream.id), iat: now, exp: now + 120, jti: randomUUID(), events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, ...claims,
  }, { typ: 'logout+jwt', ...header });
}

export function postLogoutToken(kl: RunningKeyline, upstreamId: string, token: string): Promise<Response> {
  return fetch(`${kl.url}/federation/${upstreamId}/backchannel-logout`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }),
  });
}

/** A security event token as the upstream's transmitter would push it to Keyline's receiver. */
export function securityEventToken(kl: RunningKeyline, upstream: AddedUpstream, events: Record<string, unknown>, claims: JWTPayload = {}): Promise<string> {
  return upstream.op.sign({
    iss: upstream.op.issuer, aud: `${kl.url}/federation/${upstream.id}/events`, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), events, ...claims,
  }, { typ: 'secevent+jwt' });
}

export const issSub = (upstream: AddedUpstream, sub: string) => ({ format: 'iss_sub', iss: upstream.op.issuer, sub });

export function pushSet(kl: RunningKeyline, upstreamId: string, token: string, bearer: string | undefined): Promise<Response> {
  return fetch(`${kl.url}/federation/${upstreamId}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: token,
  });
}

/** The uids of the account's live Keyline sessions. */
export async function sessionUids(kl: RunningKeyline, accountId: string): Promise<string[]> {
  return (await kl.store.oidc.listByAccount('Session', accountId)).map(({ payload }) => String(payload.uid));
}

export interface UpstreamLogoutFixture {
  kl: RunningKeyline;
  /** A downstream relying party with a back-channel logout URI (sid required). */
  client: TestClient;
  rp: RecordingReceiver;
  /** The upstream `acme`, with its SSF receiver turned on. */
  acme: AddedUpstream;
}

/**
 * beforeAll/afterAll: a Keyline on `backend` (outbound calls to 127.0.0.1 allowed, quick retries),
 * a downstream relying party that records its logout tokens, and the stand-in upstream `acme`.
 */
export function useUpstreamLogout(backend: Backend, ready: (fixture: UpstreamLogoutFixture) => Promise<void> = async () => {}): () => UpstreamLogoutFixture {
  let fixture: UpstreamLogoutFixture | undefined;
  let op: UpstreamOp | undefined;
  let rp: RecordingReceiver | undefined;
  beforeAll(async () => {
    rp = await startRecordingReceiver();
    op = await startUpstreamOp({ clients: [{ client_id: clientIdAt('acme'), client_secret: 'x'.repeat(32), redirect_uris: ['http://127.0.0.1:9/cb'] }], accounts: [] });
  });
  afterAll(async () => {
    await rp?.stop();
    await op?.close();
  });
  useKeyline(backend, { config: { outbound: { allowPrivateNetworks: true }, jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 } } }, async ({ kl }) => {
    const client = await registerTestClient(kl, {
      name: 'RP with back-channel logout', backchannelLogoutUri: `${rp!.url}/backchannel-logout`, backchannelLogoutSessionRequired: true,
    });
    fixture = { kl, client, rp: rp!, acme: await addOidcUpstream(kl, op!, 'acme', { receiver: true }) };
    await ready(fixture);
  });
  return () => fixture!;
}

/** The logout tokens a relying party received, decoded. */
export function downstreamLogoutTokens(rp: RecordingReceiver): JWTPayload[] {
  return rp.received.filter((request) => request.path === '/backchannel-logout')
    .map((request) => decodeJwt(new URLSearchParams(request.body).get('logout_token') ?? ''));
}

/** How many session endings were queued for the account (each becomes the downstream logout tokens). */
export async function sessionEndingsOf(kl: RunningKeyline, accountId: string): Promise<number> {
  return (await kl.store.jobs.list({ limit: 10_000 })).filter((job) => job.kind === 'session.ended' && job.payload.accountId === accountId).length;
}

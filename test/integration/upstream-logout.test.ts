/**
 * Logout from upstreams: an upstream's back-channel logout token and its shared-signals transmitter's
 * pushed events end the Keyline sessions that came through it, through the one session-ending path,
 * so the relying parties downstream get their own logout tokens. The upstream is the stand-in
 * upstream OpenID Provider (bare oidc-provider on 127.0.0.1): it signs the tokens with its own keys,
 * which Keyline finds through its discovery document.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, type JWTPayload } from 'jose';
import { recordUpstreamSession } from '../../src/federation/upstream-sessions.ts';
import { allBackends, type Backend } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, exchangeCode, type TestClient } from '../support/oidc-flow.ts';
import { eventually, type RecordingReceiver } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import { sessionUidOf, signedIn } from '../support/session-ending-paths.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import {
  ACCOUNT_DISABLED, ACCOUNT_ENABLED, downstreamLogoutTokens, issSub, logoutToken, postLogoutToken, pushSet, securityEventToken,
  sessionUids, SESSION_REVOKED, signedInThroughUpstream, useUpstreamLogout, type AddedUpstream,
} from '../support/upstream-logout.ts';
import { stagedOidcUpstream } from '../support/upstream-on-keyline.ts';
import { signInThroughUpstream } from '../support/upstream-sign-in.ts';

const backends: Backend[] = await allBackends();
afterAll(stopMongoTestServer);

function downstreamTokenFor(rp: RecordingReceiver, sid: string | undefined): Promise<JWTPayload> {
  return eventually(`a downstream logout token for sid ${sid}`, () => downstreamLogoutTokens(rp).find((claims) => claims.sid === sid));
}

describe.each(backends)('logout from upstreams on $name', (backend) => {
  let kl: RunningKeyline;
  let rp: RecordingReceiver;
  let client: TestClient;
  let acme: AddedUpstream;
  /** Signs people in through the oidc connector; set up before any request, so every node has it from the start. */
  let real: AddedUpstream & { bearer: string };
  const realSub = `real-${randomUUID()}`;
  useUpstreamLogout(backend, async (fixture) => {
    ({ kl, rp, client, acme } = fixture);
    const realOp = await stagedOidcUpstream(kl, 'real', { sub: realSub, sid: `op-sid-${randomUUID()}`, claims: { email: `${realSub}@example.com`, email_verified: true } });
    real = { id: 'real', op: realOp, bearer: randomUUID() + randomUUID() };
    const directory = temporaryDirectory('keyline-ssf-');
    try {
      writeFileSync(join(directory.path, 'bearer'), real.bearer);
      const update = await runCli(kl, ['upstreams', 'update', 'real', '--ssf-bearer-token-file', join(directory.path, 'bearer')]);
      if (update.code !== 0) throw new Error(update.stderr);
    } finally {
      directory.remove();
    }
  });
  afterAll(() => real?.op.close());

  test('an upstream logout token with sid ends exactly that session, and the relying party downstream gets its logout token', async () => {
    const first = await signedInThroughUpstream(kl, client, acme);
    const second = await signedInThroughUpstream(kl, client, acme, { user: first.user, subject: first.subject });
    const kept = await sessionUidOf(kl, second);

    const answer = await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: first.subject, sid: first.upstreamSid }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);

    expect(await downstreamTokenFor(rp, first.sid)).toMatchObject({ sub: first.user.id, aud: client.clientId });
    expect(await sessionUids(kl, first.user.id)).toEqual([kept]);
  });

  test('a sub-only logout token ends every session of that person that came through the upstream, not their own sign-ins', async () => {
    const first = await signedInThroughUpstream(kl, client, acme);
    const second = await signedInThroughUpstream(kl, client, acme, { user: first.user, subject: first.subject });
    const local = await signedIn(kl, client, first.user);

    expect((await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: first.subject }))).status).toBe(200);

    await downstreamTokenFor(rp, first.sid);
    await downstreamTokenFor(rp, second.sid);
    expect(await sessionUids(kl, first.user.id)).toEqual([await sessionUidOf(kl, local)]);
  });

  test('a sid-only logout token finds its session without naming the person', async () => {
    const login = await signedInThroughUpstream(kl, client, acme);
    expect((await postLogoutToken(kl, 'acme', await logoutToken(acme, { sid: login.upstreamSid }))).status).toBe(200);
    await downstreamTokenFor(rp, login.sid);
    expect(await sessionUids(kl, login.user.id)).toEqual([]);
  });

  test('a logout that arrives before the sign-in is resumed ends the session the moment it is made: the sign-in goes no further', async () => {
    const user = await createTestUser(kl);
    await expect(signedInThroughUpstream(kl, client, acme, {
      user,
      upstreamSid: 'early-sid',
      beforeResume: async () => {
        expect((await postLogoutToken(kl, 'acme', await logoutToken(acme, { sid: 'early-sid' }))).status).toBe(200);
      },
    })).rejects.toThrow(/did not reach the client/);
    expect(await sessionUids(kl, user.id)).toEqual([]);
  });

  test('a pushed CAEP session-revoked ends the sessions through the upstream and the relying party is told; 202 as RFC 8935 says', async () => {
    const login = await signedInThroughUpstream(kl, client, acme);
    const set = await securityEventToken(kl, acme, { [SESSION_REVOKED]: { event_timestamp: Math.floor(Date.now() / 1000) } }, { sub_id: issSub(acme, login.subject) });
    const answer = await pushSet(kl, 'acme', set, acme.bearer);
    expect(answer.status).toBe(202);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await downstreamTokenFor(rp, login.sid)).toMatchObject({ sub: login.user.id });
    expect(await sessionUids(kl, login.user.id)).toEqual([]);
  });

  test('a complex subject naming the upstream session ends only that one', async () => {
    const first = await signedInThroughUpstream(kl, client, acme);
    const second = await signedInThroughUpstream(kl, client, acme, { user: first.user, subject: first.subject });
    const subject = { format: 'complex', user: issSub(acme, first.subject), session: { format: 'opaque', id: second.upstreamSid } };
    expect((await pushSet(kl, 'acme', await securityEventToken(kl, acme, { [SESSION_REVOKED]: { subject } }), acme.bearer)).status).toBe(202);
    await downstreamTokenFor(rp, second.sid);
    expect(await sessionUids(kl, first.user.id)).toEqual([await sessionUidOf(kl, first)]);
  });

  test('RISC account-disabled ends every session of the linked account and refuses that identity until account-enabled', async () => {
    const login = await signedInThroughUpstream(kl, client, acme);
    const local = await signedIn(kl, client, login.user);
    const disabled = await securityEventToken(kl, acme, { [ACCOUNT_DISABLED]: { reason: 'hijacking' } }, { sub_id: issSub(acme, login.subject) });
    expect((await pushSet(kl, 'acme', disabled, acme.bearer)).status).toBe(202);
    await downstreamTokenFor(rp, login.sid);
    await downstreamTokenFor(rp, local.sid);
    expect(await sessionUids(kl, login.user.id)).toEqual([]);

    const again = { upstreamId: 'acme', subject: login.subject, accountId: login.user.id, interactionUid: 'another-interaction' };
    await expect(recordUpstreamSession(kl.store, again)).rejects.toMatchObject({ name: 'UpstreamError', failure: 'denied' });

    const enabled = await securityEventToken(kl, acme, { [ACCOUNT_ENABLED]: {} }, { sub_id: issSub(acme, login.subject) });
    expect((await pushSet(kl, 'acme', enabled, acme.bearer)).status).toBe(202);
    await expect(recordUpstreamSession(kl.store, again)).resolves.toBeUndefined();
  });

  test('a person who never came through the upstream keeps their sessions whatever it says', async () => {
    const bystander = await signedIn(kl, client, await createTestUser(kl));
    expect((await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: bystander.user.id }))).status).toBe(200);
    expect(await sessionUids(kl, bystander.user.id)).toEqual([await sessionUidOf(kl, bystander)]);
  });

  test('the whole way through the oidc connector: a sign-in at the upstream, then its logout token and its SSF push, each end the session and the relying party is told', async () => {
    const signInAtUpstream = async () => {
      const { verifier, code, final } = await signInThroughUpstream(kl, client, 'real', real.op.issuer);
      if (!code) throw new Error(`the upstream sign-in did not reach the client: ${final.status} ${final.text.slice(0, 200)}`);
      const idToken = decodeJwt(String((await exchangeCode(kl, client, { code, verifier })).body.id_token));
      return { accountId: String(idToken.sub), sid: String(idToken.sid) };
    };
    const first = await signInAtUpstream();
    const byToken = await real.op.sign({
      iss: real.op.issuer, aud: 'keyline-real', iat: Math.floor(Date.now() / 1000), jti: randomUUID(), sid: real.op.idTokens.at(-1)!.sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    }, { typ: 'logout+jwt' });
    expect((await postLogoutToken(kl, 'real', byToken)).status).toBe(200);
    expect(await downstreamTokenFor(rp, first.sid)).toMatchObject({ sub: first.accountId });
    expect(await sessionUids(kl, first.accountId)).toEqual([]);

    const second = await signInAtUpstream();
    expect(second.accountId).toBe(first.accountId);
    const set = await securityEventToken(kl, real, { [SESSION_REVOKED]: {} }, { sub_id: issSub(real, realSub) });
    expect((await pushSet(kl, 'real', set, real.bearer)).status).toBe(202);
    expect(await downstreamTokenFor(rp, second.sid)).toMatchObject({ sub: second.accountId });
    expect(await sessionUids(kl, second.accountId)).toEqual([]);
  });
});

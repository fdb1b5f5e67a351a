/**
 * Keyline as an OpenID Shared Signals Framework 1.0 transmitter: a receiver (a client with the
 * ssf scope) configures streams over the management API, gets a verification event, then a CAEP
 * session-revoked SET for every way a session ends, credential-change on a password change, and
 * RISC account-disabled / account-enabled; by push (RFC 8935) to a server on 127.0.0.1, and by
 * poll (RFC 8936) with acknowledgements. Every SET verifies against Keyline's JWKS.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { integrationBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { basicAuth, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { eventually, startRecordingReceiver, type RecordingReceiver } from '../support/recording-receiver.ts';
import {
  changePassword, disableAccount, enableAccount, revokeEverywhere, sessionEndingPaths, signedIn,
} from '../support/session-ending-paths.ts';
import { eventAbout, pushedSets, registerReceiver, type SsfReceiver } from '../support/ssf-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
const ACCOUNT_ENABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';
const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const RECEIVER_CREDENTIAL = 'Bearer the-receivers-own-secret-0123456789';

describe.each(backends)('shared signals on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let receiver: SsfReceiver;
  let push: RecordingReceiver;
  let pushStreamId: string;

  beforeAll(async () => {
    push = await startRecordingReceiver();
    push.answerWith(202);
  });
  afterAll(() => push.stop());
  useKeyline(backend, { config: { outbound: { allowPrivateNetworks: true }, jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 } } }, async (ready) => {
    ({ kl, client } = ready);
    receiver = await registerReceiver(kl);
    const created = await receiver.call('POST', '/ssf/streams', {
      delivery: { method: PUSH, endpoint_url: `${push.url}/events`, authorization_header: RECEIVER_CREDENTIAL },
      events_requested: [SESSION_REVOKED, CREDENTIAL_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED],
      description: 'push stream for the tests',
    });
    if (created.status !== 201) throw new Error(`creating the push stream answered ${created.status}: ${JSON.stringify(created.body)}`);
    pushStreamId = (created.body as { stream_id: string }).stream_id;
  });

  const jwks = () => createRemoteJWKSet(new URL(`${kl.url}/jwks`));

  /** Verifies a SET as a receiver must (SSF 1.0 §4.1): signature by the JWKS, typ, iss, aud; no sub, no exp. */
  async function verifiedSet(set: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(set, jwks(), { issuer: kl.url, audience: receiver.client.clientId, typ: 'secevent+jwt' });
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('exp');
    expect(payload.jti).toEqual(expect.any(String));
    return payload;
  }

  function pushedEvent(eventType: string, accountId: string) {
    return eventually(`a pushed ${eventType.split('/').pop()} SET about ${accountId}`, () => pushedSets(push).find((entry) => eventAbout(entry.claims, eventType, accountId)));
  }

  test('the transmitter configuration names the endpoints, both delivery methods and OAuth', async () => {
    const response = await fetch(`${kl.url}/.well-known/ssf-configuration`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      spec_version: '1_0',
      issuer: kl.url,
      jwks_uri: `${kl.url}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${kl.url}/ssf/streams`,
      status_endpoint: `${kl.url}/ssf/status`,
      add_subject_endpoint: `${kl.url}/ssf/subjects/add`,
      remove_subject_endpoint: `${kl.url}/ssf/subjects/remove`,
      verification_endpoint: `${kl.url}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
  });

  test('the stream reads back as configured, without the authorization header it was given', async () => {
    const read = await receiver.call('GET', `/ssf/streams?stream_id=${pushStreamId}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toEqual({
      stream_id: pushStreamId,
      iss: kl.url,
      aud: receiver.client.clientId,
      delivery: { method: PUSH, endpoint_url: `${push.url}/events` },
      events_supported: [SESSION_REVOKED, CREDENTIAL_CHANGE, TOKEN_CLAIMS_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED],
      events_requested: [SESSION_REVOKED, CREDENTIAL_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED],
      events_delivered: [SESSION_REVOKED, CREDENTIAL_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED],
      min_verification_interval: 5,
      description: 'push stream for the tests',
    });
    expect(JSON.stringify(read.body)).not.toContain('the-receivers-own-secret');
    const all = await receiver.call('GET', '/ssf/streams');
    expect((all.body as Array<{ stream_id: string }>).map((stream) => stream.stream_id)).toContain(pushStreamId);
  });

  test('a verification request is answered 204 and a verification SET with the state is pushed, with the receiver\'s authorization header', async () => {
    const verify = await receiver.call('POST', '/ssf/verify', { stream_id: pushStreamId, state: 'state-from-the-receiver' });
    expect(verify.status).toBe(204);
    const pushed = await eventually('a pushed verification SET', () => pushedSets(push).find((entry) => (entry.claims.events as Record<string, unknown>)[VERIFICATION]));
    expect(pushed.authorization).toBe(RECEIVER_CREDENTIAL);
    expect(pushed.contentType).toBe('application/secevent+jwt');
    expect(decodeProtectedHeader(pushed.set).typ).toBe('secevent+jwt');
    expect(await verifiedSet(pushed.set)).toMatchObject({
      sub_id: { format: 'opaque', id: pushStreamId },
      events: { [VERIFICATION]: { state: 'state-from-the-receiver' } },
    });
    expect(kl.logs.join('\n')).not.toContain('the-receivers-own-secret');
  });

  test('verification more often than min_verification_interval is refused with 429', async () => {
    const stream = await receiver.call('POST', '/ssf/streams', {});
    const streamId = (stream.body as { stream_id: string }).stream_id;
    expect((await receiver.call('POST', '/ssf/verify', { stream_id: streamId })).status).toBe(204);
    const again = await receiver.call('POST', '/ssf/verify', { stream_id: streamId });
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('5');
    expect((await receiver.call('DELETE', `/ssf/streams?stream_id=${streamId}`)).status).toBe(204);
  });

  test.each(sessionEndingPaths(() => kl, () => client))('%s sends a session-revoked SET about the user', async (_path, end) => {
    const login = await signedIn(kl, client);
    const before = Math.floor(Date.now() / 1000);
    await end(login);
    const pushed = await pushedEvent(SESSION_REVOKED, login.user.id);
    const claims = await verifiedSet(pushed.set);
    expect(claims.sub_id).toEqual({ format: 'iss_sub', iss: kl.url, sub: login.user.id });
    const event = eventAbout(claims, SESSION_REVOKED, login.user.id)!;
    expect(event.event_timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(event.initiating_entity).toMatch(/^(user|admin|policy)$/);
    expect(claims.txn).toEqual(expect.any(String));
  });

  test('a password change also sends credential-change (password, update), with the same txn as its session-revoked', async () => {
    const login = await signedIn(kl, client);
    await changePassword(kl, login);
    const change = await verifiedSet((await pushedEvent(CREDENTIAL_CHANGE, login.user.id)).set);
    const revoked = await verifiedSet((await pushedEvent(SESSION_REVOKED, login.user.id)).set);
    expect(change.events).toEqual({
      [CREDENTIAL_CHANGE]: { credential_type: 'password', change_type: 'update', initiating_entity: 'admin', event_timestamp: expect.any(Number) },
    });
    expect(change.txn).toBe(revoked.txn);
    expect(change.jti).not.toBe(revoked.jti);
  });

  test('disabling an account sends account-disabled, enabling it account-enabled', async () => {
    const login = await signedIn(kl, client);
    await disableAccount(kl, login);
    const disabled = await verifiedSet((await pushedEvent(ACCOUNT_DISABLED, login.user.id)).set);
    expect(disabled.sub_id).toEqual({ format: 'iss_sub', iss: kl.url, sub: login.user.id });
    await enableAccount(kl, login);
    const enabled = await verifiedSet((await pushedEvent(ACCOUNT_ENABLED, login.user.id)).set);
    expect(enabled.events).toEqual({ [ACCOUNT_ENABLED]: { initiating_entity: 'admin', event_timestamp: expect.any(Number) } });
  });

  test('a poll stream returns SETs until they are acknowledged, then no more', async () => {
    const created = await receiver.call('POST', '/ssf/streams', { events_requested: [SESSION_REVOKED] });
    expect(created.status).toBe(201);
    const stream = created.body as { stream_id: string; delivery: { method: string; endpoint_url: string } };
    expect(stream.delivery).toEqual({ method: POLL, endpoint_url: `${kl.url}/ssf/poll/${stream.stream_id}` });
    const login = await signedIn(kl, client);
    await revokeEverywhere(kl, login);

    const poll = (body: Record<string, unknown>) => receiver.call('POST', stream.delivery.endpoint_url, { returnImmediately: true, ...body });
    const polledJtis = async (body: Record<string, unknown> = {}) => Object.keys(((await poll(body)).body as { sets: Record<string, string> }).sets);
    const found = await eventually('a polled session-revoked SET', async () => {
      const answer = await poll({});
      const sets = (answer.body as { sets: Record<string, string> }).sets;
      for (const [jti, set] of Object.entries(sets)) {
        const claims = await verifiedSet(set);
        if (eventAbout(claims, SESSION_REVOKED, login.user.id)) return { jti, claims, all: Object.keys(sets) };
      }
      return undefined;
    });
    expect(found.claims.jti).toBe(found.jti);
    // Unacknowledged, it comes again (same jti); acknowledged, it is gone.
    expect(await polledJtis()).toContain(found.jti);
    const acked = await poll({ ack: found.all, maxEvents: 0 });
    expect(acked.status).toBe(200);
    expect(acked.body).toEqual({ sets: {}, moreAvailable: false });
    expect(await polledJtis()).not.toContain(found.jti);
    expect((await receiver.call('DELETE', `/ssf/streams?stream_id=${stream.stream_id}`)).status).toBe(204);
  });

  test('a paused push stream holds its SETs and sends them once it is enabled again', async () => {
    const paused = await receiver.call('POST', '/ssf/status', { stream_id: pushStreamId, status: 'paused', reason: 'receiver maintenance' });
    expect(paused.body).toEqual({ stream_id: pushStreamId, status: 'paused', reason: 'receiver maintenance' });
    const login = await signedIn(kl, client);
    try {
      await revokeEverywhere(kl, login);
      await eventually('the signal to be fanned out', async () => (await kl.store.streams.held(pushStreamId, 100)).some((set) => JSON.stringify(set.claims).includes(login.user.id)));
      expect(pushedSets(push).filter((entry) => eventAbout(entry.claims, SESSION_REVOKED, login.user.id))).toEqual([]);
    } finally {
      expect((await receiver.call('POST', '/ssf/status', { stream_id: pushStreamId, status: 'enabled' })).status).toBe(200);
    }
    await pushedEvent(SESSION_REVOKED, login.user.id);
    expect((await receiver.call('GET', `/ssf/status?stream_id=${pushStreamId}`)).body).toEqual({ stream_id: pushStreamId, status: 'enabled' });
  });

  test('a removed subject gets no events on the stream; added again, it does', async () => {
    const created = await receiver.call('POST', '/ssf/streams', { events_requested: [SESSION_REVOKED] });
    const streamId = (created.body as { stream_id: string }).stream_id;
    const removed = await signedIn(kl, client);
    const kept = await signedIn(kl, client);
    expect((await receiver.call('POST', '/ssf/subjects/remove', { stream_id: streamId, subject: { format: 'email', email: removed.user.email.toUpperCase() } })).status).toBe(204);
    await revokeEverywhere(kl, removed);
    await revokeEverywhere(kl, kept);
    await eventually('the kept subject\'s SET', async () => (await kl.store.streams.held(streamId, 100)).some((set) => JSON.stringify(set.claims).includes(kept.user.id)));
    await eventually('both fan-outs to be done', async () => (await kl.store.jobs.list({ limit: 1000 })).every((job) => job.kind !== 'signal' || job.state === 'done'));
    expect((await kl.store.streams.held(streamId, 100)).some((set) => JSON.stringify(set.claims).includes(removed.user.id))).toBe(false);

    expect((await receiver.call('POST', '/ssf/subjects/add', { stream_id: streamId, subject: { format: 'email', email: removed.user.email }, verified: true })).status).toBe(200);
    const again = await signedIn(kl, client, removed.user);
    await revokeEverywhere(kl, again);
    const held = await eventually('a SET about the re-added subject', async () => (await kl.store.streams.held(streamId, 100)).find((set) => (set.claims.sub_id as { email?: string }).email === removed.user.email));
    expect(held.claims.sub_id).toEqual({ format: 'email', email: removed.user.email });
    await receiver.call('DELETE', `/ssf/streams?stream_id=${streamId}`);
  }, 60_000);

  test('PATCH changes what it names, PUT replaces, DELETE removes; transmitter-supplied values must match', async () => {
    const created = await receiver.call('POST', '/ssf/streams', { description: 'to change' });
    const streamId = (created.body as { stream_id: string }).stream_id;
    const patched = await receiver.call('PATCH', '/ssf/streams', { stream_id: streamId, events_requested: [ACCOUNT_DISABLED], iss: kl.url });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'to change', events_requested: [ACCOUNT_DISABLED], events_delivered: [ACCOUNT_DISABLED] });
    const wrongIssuer = await receiver.call('PATCH', '/ssf/streams', { stream_id: streamId, iss: 'https://elsewhere.example' });
    expect(wrongIssuer.status).toBe(400);
    expect(wrongIssuer.body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^iss:/) });
    const replaced = await receiver.call('PUT', '/ssf/streams', { stream_id: streamId, delivery: { method: PUSH, endpoint_url: `${push.url}/other` } });
    expect(replaced.body).toMatchObject({ delivery: { method: PUSH, endpoint_url: `${push.url}/other` }, events_delivered: [SESSION_REVOKED, CREDENTIAL_CHANGE, TOKEN_CLAIMS_CHANGE, ACCOUNT_DISABLED, ACCOUNT_ENABLED] });
    expect(replaced.body).not.toHaveProperty('description');
    expect((await receiver.call('DELETE', `/ssf/streams?stream_id=${streamId}`)).status).toBe(204);
    expect((await receiver.call('GET', `/ssf/streams?stream_id=${streamId}`)).status).toBe(404);
  });

  test('bad requests get a clear 4xx and change nothing', async () => {
    const before = (await receiver.call('GET', '/ssf/streams')).body as unknown[];
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/ssf/streams', '{"delivery":', 400, /not valid JSON/],
      ['POST', '/ssf/streams', [], 400, /JSON object/],
      ['POST', '/ssf/streams', { delivery: { method: PUSH } }, 400, /endpoint_url/],
      ['POST', '/ssf/streams', { delivery: { method: PUSH, endpoint_url: 'ftp://x.example/' } }, 400, /endpoint_url/],
      ['POST', '/ssf/streams', { delivery: { method: 'urn:example:carrier-pigeon' } }, 400, /delivery\.method/],
      ['POST', '/ssf/streams', { events_requested: 'all' }, 400, /events_requested/],
      ['POST', '/ssf/status', { stream_id: pushStreamId, status: 'asleep' }, 400, /status/],
      ['POST', '/ssf/subjects/add', { stream_id: pushStreamId, subject: { format: 'phone_number', phone_number: '+1' } }, 400, /format/],
      ['POST', '/ssf/verify', { stream_id: 'no-such-stream' }, 404, /no stream/],
      ['GET', '/ssf/status', undefined, 400, /stream_id/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await receiver.call(method, path, body);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(JSON.stringify(answer.body)).toMatch(message);
    }
    const badPoll = await receiver.call('POST', `/ssf/poll/${pushStreamId}`, { maxEvents: -1 });
    expect(badPoll.status).toBe(404);
    expect((await receiver.call('GET', '/ssf/streams')).body).toEqual(before);
  });

  test('without a receiver\'s ssf token the API answers 401 with a Bearer challenge, and another receiver\'s stream is not there', async () => {
    const anonymous = await fetch(`${kl.url}/ssf/streams`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const forged = await receiver.call('GET', '/ssf/streams', undefined, 'not.a.token');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');

    const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: '', resources: [`${kl.url}/ssf`] });
    const scopeless = await fetch(`${kl.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    const withoutScope = await receiver.call('GET', '/ssf/streams', undefined, String((await scopeless.json() as { access_token: string }).access_token));
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="ssf"');

    const other = await registerReceiver(kl, 'Another receiver');
    expect((await other.call('GET', `/ssf/streams?stream_id=${pushStreamId}`)).status).toBe(404);
    expect((await other.call('POST', '/ssf/status', { stream_id: pushStreamId, status: 'disabled' })).status).toBe(404);
    expect((await other.call('GET', '/ssf/streams')).body).toEqual([]);
  });

  test('removing a receiver client removes its streams', async () => {
    const leaving = await registerReceiver(kl, 'Leaving receiver');
    expect((await leaving.call('POST', '/ssf/streams', {})).status).toBe(201);
    const removed = await runCli(kl, ['clients', 'remove', leaving.client.clientId, '--yes']);
    expect(removed.code).toBe(0);
    expect(await kl.store.streams.listByClient(leaving.client.clientId)).toEqual([]);
  });
});

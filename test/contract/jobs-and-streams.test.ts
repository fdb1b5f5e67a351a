/**
 * Storage contract, the outbox (jobs) and shared-signals streams: every backend must pass this file unchanged.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateError } from '../../src/store/store-errors.ts';
import type { NewJob, StreamRecord } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

const T0 = new Date('2026-04-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function job(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: randomUUID(),
    kind: 'backchannel-logout',
    payload: { clientId: 'web', nested: { 'https://rp.example.test/a.b': ['x'] } },
    dedupeKey: null,
    maxAttempts: 5,
    runAfter: T0,
    createdAt: T0,
    ...overrides,
  };
}

function stream(overrides: Partial<StreamRecord> = {}): StreamRecord {
  return {
    id: randomUUID(),
    clientId: 'receiver',
    audience: 'receiver',
    deliveryMethod: 'urn:ietf:rfc:8935',
    endpointUrl: 'https://receiver.example.test/events',
    authorizationHeader: 'sealed:abc',
    eventsRequested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
    description: 'for tests',
    status: 'enabled',
    statusReason: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

describe.each(backends)('$name store: the outbox', (backend) => {
  const store = useFreshStore(backend);

  test('an enqueued job is claimed once, with its payload, and not again while the lease runs', async () => {
    const queued = job();
    expect(await store().jobs.enqueue(queued)).toBe(true);

    const claimed = await store().jobs.claim(['backchannel-logout'], 'node-a', 30, at(1));
    expect(claimed).toMatchObject({
      id: queued.id, kind: 'backchannel-logout', payload: queued.payload, state: 'pending', attempts: 1, leaseHolder: 'node-a', runAfter: at(31),
    });
    expect(claimed?.leaseToken).toEqual(expect.any(String));
    expect(await store().jobs.claim(['backchannel-logout'], 'node-b', 30, at(2))).toBeUndefined();
  });

  test('only due jobs of the kinds asked for are claimed, the longest-waiting first', async () => {
    const later = job({ runAfter: at(60) });
    const mail = job({ kind: 'mail' });
    const older = job({ runAfter: at(-5) });
    const newer = job({ runAfter: at(-1) });
    for (const entry of [later, mail, newer, older]) await store().jobs.enqueue(entry);

    expect((await store().jobs.claim(['backchannel-logout'], 'n', 3600, T0))?.id).toBe(older.id);
    expect((await store().jobs.claim(['backchannel-logout'], 'n', 3600, T0))?.id).toBe(newer.id);
    expect(await store().jobs.claim(['backchannel-logout'], 'n', 3600, T0)).toBeUndefined();
    expect((await store().jobs.claim(['mail', 'signal'], 'n', 3600, T0))?.id).toBe(mail.id);
    expect((await store().jobs.claim(['backchannel-logout'], 'n', 3600, at(60)))?.id).toBe(later.id);
  });

  test('a dedupe key is kept once: the second job with it is not added', async () => {
    expect(await store().jobs.enqueue(job({ dedupeKey: 'ending-1:web' }))).toBe(true);
    expect(await store().jobs.enqueue(job({ dedupeKey: 'ending-1:web' }))).toBe(false);
    expect(await store().jobs.enqueue(job({ dedupeKey: 'ending-1:other' }))).toBe(true);
    expect(await store().jobs.list({ limit: 10 })).toHaveLength(2);
  });

  test('claims are exclusive under concurrency: 60 claimants over 25 jobs take each job exactly once', async () => {
    const queued = Array.from({ length: 25 }, () => job());
    await Promise.all(queued.map((entry) => store().jobs.enqueue(entry)));
    const claims = await Promise.all(Array.from({ length: 60 }, (_, index) => store().jobs.claim(['backchannel-logout'], `node-${index}`, 30, T0)));
    const won = claims.filter((claim) => claim !== undefined).map((claim) => claim.id);
    expect(won).toHaveLength(25);
    expect(new Set(won)).toEqual(new Set(queued.map((entry) => entry.id)));
  });

  test('a lease that runs out hands the job to another node; the first claimant can then neither complete nor fail it', async () => {
    await store().jobs.enqueue(job());
    const first = (await store().jobs.claim(['backchannel-logout'], 'crashed-node', 30, T0))!;
    expect(await store().jobs.claim(['backchannel-logout'], 'node-b', 30, at(29))).toBeUndefined();

    const second = (await store().jobs.claim(['backchannel-logout'], 'node-b', 30, at(30)))!;
    expect(second).toMatchObject({ id: first.id, attempts: 2, leaseHolder: 'node-b' });
    expect(await store().jobs.complete(first.id, first.leaseToken, at(31))).toBe(false);
    expect(await store().jobs.fail(first.id, first.leaseToken, 'late', at(40), at(31))).toBe(false);
    expect(await store().jobs.complete(second.id, second.leaseToken, at(32))).toBe(true);
    expect(await store().jobs.find(first.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  test('a failed attempt waits for its retry time, keeps the reason, and is listed as failed', async () => {
    const queued = job();
    await store().jobs.enqueue(queued);
    const claimed = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    expect(await store().jobs.fail(claimed.id, claimed.leaseToken, 'HTTP 503 from https://rp.example.test/logout', at(8), at(1))).toBe(true);

    expect(await store().jobs.find(queued.id)).toMatchObject({ state: 'pending', runAfter: at(8), lastError: 'HTTP 503 from https://rp.example.test/logout' });
    expect(await store().jobs.claim(['backchannel-logout'], 'n', 30, at(7))).toBeUndefined();
    expect((await store().jobs.list({ failedOnly: true, limit: 10 })).map((entry) => entry.id)).toEqual([queued.id]);
    expect((await store().jobs.claim(['backchannel-logout'], 'n', 30, at(8)))).toMatchObject({ id: queued.id, attempts: 2 });
  });

  test('a job given up on is dead: kept, never claimed, listed as failed, and due again once retried', async () => {
    const queued = job();
    await store().jobs.enqueue(queued);
    const claimed = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    await store().jobs.fail(claimed.id, claimed.leaseToken, 'gave up', null, at(1));

    expect(await store().jobs.find(queued.id)).toMatchObject({ state: 'dead', lastError: 'gave up', attempts: 1 });
    expect(await store().jobs.claim(['backchannel-logout'], 'n', 30, at(3600))).toBeUndefined();
    expect((await store().jobs.list({ failedOnly: true, limit: 10 })).map((entry) => entry.state)).toEqual(['dead']);

    expect(await store().jobs.retry(queued.id, at(5))).toBe(true);
    expect(await store().jobs.find(queued.id)).toMatchObject({ state: 'pending', attempts: 0, runAfter: at(5) });
    expect(await store().jobs.claim(['backchannel-logout'], 'n', 30, at(5))).toMatchObject({ id: queued.id, attempts: 1 });
  });

  test('retry leaves alone a job a node is working on, a finished one and one that does not exist', async () => {
    const running = job();
    const finished = job();
    await store().jobs.enqueue(running);
    await store().jobs.enqueue(finished);
    const first = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    const second = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    await store().jobs.complete(second.id, second.leaseToken, T0);

    expect(await store().jobs.retry(first.id, at(1))).toBe(false);
    expect(await store().jobs.retry(second.id, at(1))).toBe(false);
    expect(await store().jobs.retry('no-such-job', at(1))).toBe(false);
    // Once the lease has run out nobody is working on it any more.
    expect(await store().jobs.retry(first.id, at(31))).toBe(true);
  });

  test('purge forgets finished and dead jobs older than a date, and nothing else', async () => {
    const done = job();
    const dead = job();
    const waiting = job({ runAfter: at(100) });
    for (const entry of [done, dead, waiting]) await store().jobs.enqueue(entry);
    const a = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    const b = (await store().jobs.claim(['backchannel-logout'], 'n', 30, T0))!;
    await store().jobs.complete(a.id, a.leaseToken, at(1));
    await store().jobs.fail(b.id, b.leaseToken, 'no', null, at(1));

    expect(await store().jobs.purge('done', at(1))).toBe(0);
    expect(await store().jobs.purge('done', at(2))).toBe(1);
    expect(await store().jobs.purge('dead', at(2))).toBe(1);
    expect((await store().jobs.list({ limit: 10 })).map((entry) => entry.id)).toEqual([waiting.id]);
  });

  test('list shows the newest first, up to the limit', async () => {
    const ids = [];
    for (let index = 0; index < 4; index += 1) {
      const entry = job({ createdAt: at(index) });
      ids.push(entry.id);
      await store().jobs.enqueue(entry);
    }
    expect((await store().jobs.list({ limit: 3 })).map((entry) => entry.id)).toEqual([ids[3], ids[2], ids[1]]);
  });
});

describe.each(backends)('$name store: shared-signals streams', (backend) => {
  const store = useFreshStore(backend);

  test('a stream reads back exactly, by id and by receiver; a taken id is refused', async () => {
    const created = stream();
    const other = stream({ clientId: 'other', createdAt: at(1), updatedAt: at(1), endpointUrl: null, authorizationHeader: null, deliveryMethod: 'urn:ietf:rfc:8936' });
    await store().streams.create(created);
    await store().streams.create(other);

    expect(await store().streams.find(created.id)).toStrictEqual(created);
    expect(await store().streams.listByClient('receiver')).toStrictEqual([created]);
    expect((await store().streams.list()).map((entry) => entry.id)).toEqual([created.id, other.id]);
    await expect(store().streams.create(created)).rejects.toBeInstanceOf(DuplicateError);
    expect(await store().streams.find('nope')).toBeUndefined();
  });

  test('update changes only the fields given', async () => {
    const created = stream();
    await store().streams.create(created);
    const updated = await store().streams.update(created.id, { status: 'paused', statusReason: 'maintenance', eventsRequested: [] });
    expect(updated).toMatchObject({ ...created, status: 'paused', statusReason: 'maintenance', eventsRequested: [], updatedAt: expect.any(Date) });
    expect(await store().streams.find(created.id)).toStrictEqual(updated);
    expect(await store().streams.update('nope', { status: 'enabled' })).toBeUndefined();
  });

  test('the sealed authorization header is replaced only while it is what the caller read', async () => {
    const created = stream();
    await store().streams.create(created);
    expect(await store().streams.replaceAuthorizationHeader(created.id, 'sealed:other', 'sealed:new')).toBe(false);
    expect(await store().streams.replaceAuthorizationHeader(created.id, 'sealed:abc', 'sealed:new')).toBe(true);
    expect((await store().streams.find(created.id))?.authorizationHeader).toBe('sealed:new');
  });

  test('subjects a receiver added or removed are remembered per stream', async () => {
    await store().streams.setSubject('s1', 'iss_sub:a1', true);
    await store().streams.setSubject('s1', 'email:ada@example.test', false);
    await store().streams.setSubject('s2', 'iss_sub:a1', false);
    await store().streams.setSubject('s1', 'email:ada@example.test', true);

    expect(await store().streams.subjectStates('s1', ['iss_sub:a1', 'email:ada@example.test', 'iss_sub:zz']))
      .toEqual(new Map([['iss_sub:a1', true], ['email:ada@example.test', true]]));
    expect(await store().streams.subjectStates('s2', ['iss_sub:a1'])).toEqual(new Map([['iss_sub:a1', false]]));
  });

  test('held SETs come back oldest first, once per jti, until released', async () => {
    const claims = { jti: 'j1', events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } };
    await store().streams.hold('s1', { jti: 'j2', claims: { jti: 'j2' }, createdAt: at(2) });
    await store().streams.hold('s1', { jti: 'j1', claims, createdAt: at(1) });
    await store().streams.hold('s1', { jti: 'j1', claims: { jti: 'j1', again: true }, createdAt: at(3) });
    await store().streams.hold('s2', { jti: 'j1', claims, createdAt: at(1) });

    expect(await store().streams.held('s1', 10)).toStrictEqual([
      { jti: 'j1', claims, createdAt: at(1) }, { jti: 'j2', claims: { jti: 'j2' }, createdAt: at(2) },
    ]);
    expect(await store().streams.held('s1', 1)).toHaveLength(1);
    expect(await store().streams.release('s1', ['j1', 'unknown'])).toBe(1);
    expect((await store().streams.held('s1', 10)).map((set) => set.jti)).toEqual(['j2']);
    expect((await store().streams.held('s2', 10)).map((set) => set.jti)).toEqual(['j1']);
  });

  test('removing a stream removes its subjects and held SETs', async () => {
    const created = stream();
    await store().streams.create(created);
    await store().streams.setSubject(created.id, 'iss_sub:a1', true);
    await store().streams.hold(created.id, { jti: 'j1', claims: {}, createdAt: T0 });

    expect(await store().streams.remove(created.id)).toBe(true);
    expect(await store().streams.remove(created.id)).toBe(false);
    expect(await store().streams.find(created.id)).toBeUndefined();
    expect(await store().streams.subjectStates(created.id, ['iss_sub:a1'])).toEqual(new Map());
    expect(await store().streams.held(created.id, 10)).toEqual([]);
  });
});

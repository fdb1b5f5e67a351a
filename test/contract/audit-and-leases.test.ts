/**
 * Storage contract, audit events and leases: every backend must pass this file unchanged.
 */
import { auditEventId } from '../../src/audit/audit-event-id.ts';
import type { AuditEventRecord, AuditSeal } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

let clock = Date.parse('2026-03-01T00:00:00Z');

function event(overrides: Partial<AuditEventRecord> = {}): AuditEventRecord {
  clock += 1000;
  return {
    id: auditEventId(clock),
    occurredAt: new Date(clock),
    type: 'login.succeeded',
    actor: 'user:a1',
    accountId: 'a1',
    email: 'ada@example.test',
    clientId: 'web',
    requestId: 'r1',
    ip: '127.0.0.1',
    data: { method: 'password', nested: { 'https://api.example.test': ['read'] } },
    seq: null,
    prevHash: null,
    hash: null,
    ...overrides,
  };
}

const seals = (events: AuditEventRecord[], firstSeq = 1): AuditSeal[] =>
  events.map((entry, index) => ({ id: entry.id, seq: firstSeq + index, prevHash: `p${firstSeq + index}`, hash: `h${firstSeq + index}` }));

describe.each(backends)('$name store: audit events and leases', (backend) => {
  const store = useFreshStore(backend);

  test('an appended event reads back exactly, unlinked, and is listed as waiting for the sealer', async () => {
    const appended = event();
    await store().audit.append(appended);
    expect(await store().audit.unsealed(10)).toStrictEqual([appended]);
    expect(await store().audit.head()).toBeUndefined();
    expect(await store().audit.query({ limit: 10 })).toStrictEqual([appended]);
  });

  test('seal links events in order once; a second seal of the same events or seqs links nothing', async () => {
    const events = [event(), event(), event()];
    for (const entry of events) await store().audit.append(entry);

    expect(await store().audit.seal(seals(events))).toBe(3);
    expect(await store().audit.unsealed(10)).toEqual([]);
    expect((await store().audit.head())?.seq).toBe(3);
    expect((await store().audit.sealedFrom(2, 10)).map((entry) => [entry.id, entry.seq, entry.prevHash, entry.hash]))
      .toEqual([[events[1]!.id, 2, 'p2', 'h2'], [events[2]!.id, 3, 'p3', 'h3']]);

    expect(await store().audit.seal(seals(events))).toBe(0);
    const late = event();
    await store().audit.append(late);
    // seq 3 is taken: a competing sealer's link is refused.
    expect(await store().audit.seal([{ id: late.id, seq: 3, prevHash: 'x', hash: 'y' }])).toBe(0);
    expect(await store().audit.seal([{ id: late.id, seq: 4, prevHash: 'h3', hash: 'h4' }])).toBe(1);
  });

  test('200 concurrent appends all land, each once', async () => {
    const events = Array.from({ length: 200 }, () => event());
    await Promise.all(events.map((entry) => store().audit.append(entry)));
    const waiting = await store().audit.unsealed(1000);
    expect(waiting).toHaveLength(200);
    expect(new Set(waiting.map((entry) => entry.id)).size).toBe(200);
  });

  test('query filters by account or email, type and time, newest first', async () => {
    const first = event({ type: 'login.failed', accountId: null, email: 'ghost@example.test' });
    const second = event({ type: 'login.succeeded' });
    const third = event({ type: 'user.disabled', accountId: 'a2', email: 'bob@example.test' });
    for (const entry of [first, second, third]) await store().audit.append(entry);

    expect((await store().audit.query({ email: 'ghost@example.test', limit: 10 })).map((entry) => entry.id)).toEqual([first.id]);
    expect((await store().audit.query({ accountId: 'a1', email: 'ghost@example.test', limit: 10 })).map((entry) => entry.id)).toEqual([second.id, first.id]);
    expect((await store().audit.query({ type: 'user.disabled', limit: 10 })).map((entry) => entry.id)).toEqual([third.id]);
    expect((await store().audit.query({ since: second.occurredAt, limit: 10 })).map((entry) => entry.id)).toEqual([third.id, second.id]);
    expect(await store().audit.query({ limit: 1 })).toHaveLength(1);
  });

  test('query pages newest first: before an event gives the older ones, ties in time broken by id', async () => {
    const events = [event(), event(), event(), event()];
    // Two events in the same millisecond: the id orders them.
    const sameTime = events[3]!.occurredAt.getTime();
    const twin = event({ id: auditEventId(sameTime), occurredAt: new Date(sameTime) });
    for (const entry of [...events, twin]) await store().audit.append(entry);
    const newestFirst = [...events, twin].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : -1));

    const firstPage = await store().audit.query({ limit: 2 });
    expect(firstPage.map((entry) => entry.id)).toEqual(newestFirst.slice(0, 2).map((entry) => entry.id));
    const last = firstPage.at(-1)!;
    const secondPage = await store().audit.query({ limit: 2, before: { occurredAt: last.occurredAt, id: last.id } });
    expect(secondPage.map((entry) => entry.id)).toEqual(newestFirst.slice(2, 4).map((entry) => entry.id));
    const end = secondPage.at(-1)!;
    expect((await store().audit.query({ limit: 2, before: { occurredAt: end.occurredAt, id: end.id } })).map((entry) => entry.id))
      .toEqual([newestFirst[4]!.id]);
    expect((await store().audit.query({ limit: 10, type: 'login.succeeded', before: { occurredAt: end.occurredAt, id: end.id } })).map((entry) => entry.id))
      .toEqual([newestFirst[4]!.id]);
  });

  test('pruneThrough removes linked events up to a seq; firstSealedAtOrAfter finds where to keep from', async () => {
    const events = [event(), event(), event(), event()];
    for (const entry of events) await store().audit.append(entry);
    await store().audit.seal(seals(events));

    expect((await store().audit.firstSealedAtOrAfter(events[2]!.occurredAt))?.seq).toBe(3);
    expect(await store().audit.pruneThrough(2)).toBe(2);
    expect((await store().audit.sealedFrom(1, 10)).map((entry) => entry.seq)).toEqual([3, 4]);
  });

  test('checkpoints are kept once per kind and seq, and listed by kind then seq', async () => {
    const checkpoint = (kind: 'head' | 'pruned', seq: number) => ({ kind, seq, hash: `h${seq}`, signedAt: new Date('2026-03-02T00:00:00Z'), jws: `jws-${kind}-${seq}` });
    await store().audit.addCheckpoint(checkpoint('head', 9));
    await store().audit.addCheckpoint(checkpoint('head', 4));
    await store().audit.addCheckpoint(checkpoint('pruned', 2));
    await store().audit.addCheckpoint({ ...checkpoint('head', 4), jws: 'another' });
    expect(await store().audit.checkpoints()).toStrictEqual([checkpoint('head', 4), checkpoint('head', 9), checkpoint('pruned', 2)]);
  });

  test('a lease has one holder at a time: renewable by it, free once released', async () => {
    expect(await store().leases.acquire('sealer', 'node-a', 30)).toBe(true);
    expect(await store().leases.acquire('sealer', 'node-b', 30)).toBe(false);
    expect(await store().leases.acquire('sealer', 'node-a', 30)).toBe(true);
    await store().leases.release('sealer', 'node-b');
    expect(await store().leases.acquire('sealer', 'node-b', 30)).toBe(false);
    await store().leases.release('sealer', 'node-a');
    expect(await store().leases.acquire('sealer', 'node-b', 30)).toBe(true);
  });

  test('of 20 nodes racing for a free lease exactly one gets it', async () => {
    const won = await Promise.all(Array.from({ length: 20 }, (_, index) => store().leases.acquire('raced', `node-${index}`, 30)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  test('an expired lease can be taken by another holder', async () => {
    expect(await store().leases.acquire('short', 'node-a', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await store().leases.acquire('short', 'node-b', 30)).toBe(true);
    expect(await store().leases.acquire('short', 'node-a', 30)).toBe(false);
  });
});

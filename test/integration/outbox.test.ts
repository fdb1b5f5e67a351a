/**
 * The outbox as nodes work it: JobRunners on a real store (several at once, as several nodes
 * would), with handlers that fail, hang or succeed. Retries back off and end in a dead job an
 * administrator can see and retry; a node that stops mid-job hands it over when its lease runs
 * out; every job is worked by one runner at a time. On both store backends.
 */
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load-config.ts';
import type { JobsConfig } from '../../src/config/schema.ts';
import type { JobHandler } from '../../src/jobs/job-handler.ts';
import { PermanentJobError } from '../../src/jobs/job-handler.ts';
import { sessionEndedHandler } from '../../src/accounts/session-ending-deliveries.ts';
import { SESSION_ENDED_JOB } from '../../src/accounts/session-endings.ts';
import { SecuritySignals } from '../../src/signals/security-signals.ts';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { Outbox } from '../../src/jobs/outbox.ts';
import { retryDelayMs } from '../../src/jobs/retry-backoff.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { eventually } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const FAST: JobsConfig = {
  ...parseConfig({ issuer: 'http://127.0.0.1:1', port: 1, host: '127.0.0.1', store: ':memory:' }).jobs,
  pollInterval: 0.05, retryBase: 0.1, retryMax: 0.4, lease: 60,
};

test('retries wait exponentially longer, spread by a fifth either way, and never past the cap', () => {
  const policy = { retryBase: 5, retryMax: 3600 };
  expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 0.5))).toEqual([5000, 10_000, 20_000, 40_000]);
  expect(retryDelayMs(1, policy, () => 0)).toBe(4000);
  expect(retryDelayMs(1, policy, () => 1)).toBe(6000);
  expect(retryDelayMs(20, policy, () => 1)).toBe(3_600_000);
  expect(retryDelayMs(1000, policy, () => 0.5)).toBe(3_600_000);
});

describe.each(backends)('the outbox worked by job runners on $name', (backend) => {
  let store: Store;
  let location: string;
  let cleanup: () => Promise<void>;
  const runners: JobRunner[] = [];
  const logs: string[] = [];
  const logger = createLogger('info', new Writable({ write(chunk, _encoding, done) { logs.push(String(chunk)); done(); } }));

  beforeEach(async () => {
    ({ location, cleanup } = await backend.create());
    store = await openStore({ store: location, sqlite: { synchronous: 'NORMAL' } });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await store.close();
    await cleanup();
  });

  function runner(handlers: JobHandler[], config: Partial<JobsConfig> = {}): JobRunner {
    const started = new JobRunner({ jobs: store.jobs, handlers, logger, config: { ...FAST, ...config } });
    runners.push(started);
    started.start();
    return started;
  }

  test('a failing job is retried with growing waits, then kept as dead with its reason, and runs again once retried', async () => {
    const attempts: number[] = [];
    let failing = true;
    runner([{
      kind: 'flaky',
      async run(job) {
        attempts.push(Date.now());
        if (failing) throw new Error(`receiver down (attempt ${job.attempt})`);
      },
    }]);
    await new Outbox(store.jobs).enqueue('flaky', { to: 'somewhere' }, { maxAttempts: 4 });

    const dead = await eventually('the job to be dead', async () => (await store.jobs.list({ failedOnly: true, limit: 10 })).find((job) => job.state === 'dead'));
    expect(dead).toMatchObject({ kind: 'flaky', attempts: 4, lastError: 'receiver down (attempt 4)' });
    expect(attempts).toHaveLength(4);
    const waits = attempts.slice(1).map((at, index) => at - attempts[index]!);
    expect(waits[0]!).toBeGreaterThanOrEqual(80 - 5);
    expect(waits[2]!).toBeGreaterThanOrEqual(320 - 5);
    expect(logs.some((line) => line.includes('"event":"job.dead"') && line.includes('receiver down'))).toBe(true);

    const listed = await runCli({ store: location }, ['jobs', 'list', '--failed', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: dead.id, kind: 'flaky', state: 'dead', attempts: 4, lastError: 'receiver down (attempt 4)' })]);
    expect(listed.stdout).not.toContain('somewhere');
    const doctor = await runCli({ store: location }, ['doctor']);
    expect(doctor.stdout).toMatch(/^warn\s+outbox: 1 deliveries given up \(newest: flaky, receiver down \(attempt 4\)\) — fix: see `npx keyline jobs list --failed`/m);

    failing = false;
    const retried = await runCli({ store: location }, ['jobs', 'retry', dead.id]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('is due again now');
    await eventually('the retried job to be done', async () => (await store.jobs.find(dead.id))?.state === 'done');
    expect((await store.jobs.find(dead.id))?.attempts).toBe(1);
    expect((await runCli({ store: location }, ['jobs', 'retry', dead.id])).stderr).toMatch(/is done; nothing to retry/);
    expect((await runCli({ store: location }, ['jobs', 'retry', 'no-such-job'])).stderr).toMatch(/no job with id no-such-job/);
  });

  test('a job that cannot succeed is dead at once', async () => {
    runner([{ kind: 'doomed', async run() { throw new PermanentJobError('the receiver refused it: invalid_key'); } }]);
    await new Outbox(store.jobs).enqueue('doomed', {});
    const dead = await eventually('the job to be dead', async () => (await store.jobs.list({ limit: 10 })).find((job) => job.state === 'dead'));
    expect(dead).toMatchObject({ attempts: 1, lastError: 'the receiver refused it: invalid_key' });
  });

  test('a job whose payload does not fit its handler is dead at once, with the reason, and the payload is not logged', async () => {
    runner([sessionEndedHandler({ clients: store.clients, outbox: new Outbox(store.jobs), signals: new SecuritySignals(new Outbox(store.jobs)) })]);
    await new Outbox(store.jobs).enqueue(SESSION_ENDED_JOB, { accountId: 42, secretish: 'not-for-the-log' });
    const dead = await eventually('the job to be dead', async () => (await store.jobs.list({ limit: 10 })).find((job) => job.state === 'dead'));
    expect(dead).toMatchObject({ kind: SESSION_ENDED_JOB, attempts: 1, lastError: 'the job does not describe a session ending' });
    expect(logs.join('')).not.toContain('not-for-the-log');
  });

  test('a node that stops in the middle of a job hands it to another when its lease runs out; the first can no longer finish it', async () => {
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => { firstStarted = resolve; });
    let wakeTheFirst!: () => void;
    const stuck = new Promise<void>((resolve) => { wakeTheFirst = resolve; });
    // The first node takes the job and never gets back to it (as if its process had died).
    const first = runner([{ kind: 'handover', run: () => { firstStarted(); return stuck; } }], { lease: 1, concurrency: 1 });
    await new Outbox(store.jobs).enqueue('handover', {});
    await started;
    expect((await store.jobs.list({ limit: 10 }))[0]).toMatchObject({ state: 'pending', attempts: 1, leaseHolder: first.holder });

    const done: string[] = [];
    const second = runner([{ kind: 'handover', async run(job) { done.push(job.id); } }], { lease: 1 });
    const job = await eventually('the job to be done by the second node', async () => {
      const found = (await store.jobs.list({ limit: 10 }))[0];
      return found?.state === 'done' && found;
    });
    expect(job).toMatchObject({ attempts: 2, leaseHolder: second.holder });
    expect(done).toEqual([job.id]);

    // The first node's late success changes nothing: its lease is not the job's any more.
    wakeTheFirst();
    await first.stop();
    expect(await store.jobs.find(job.id)).toMatchObject({ state: 'done', attempts: 2, leaseHolder: second.holder });
  });

  test('three runners on one store work 60 jobs, each exactly once', async () => {
    const worked = new Map<string, number>();
    const handler = (node: string): JobHandler => ({
      kind: 'count',
      async run(job) {
        worked.set(job.id, (worked.get(job.id) ?? 0) + 1);
        expect(node).toBeTruthy();
      },
    });
    const outbox = new Outbox(store.jobs);
    await Promise.all(Array.from({ length: 60 }, (_, index) => outbox.enqueue('count', { index })));
    for (const node of ['a', 'b', 'c']) runner([handler(node)], { concurrency: 4 });
    await eventually('all 60 jobs done', async () => (await store.jobs.list({ limit: 100 })).filter((job) => job.state === 'done').length === 60);
    expect(worked.size).toBe(60);
    expect([...worked.values()].every((count) => count === 1)).toBe(true);
    expect((await store.jobs.list({ limit: 100 })).every((job) => job.attempts === 1)).toBe(true);
  });

  test('a runner only claims the kinds it has handlers for', async () => {
    const outbox = new Outbox(store.jobs);
    await outbox.enqueue('mail', { note: 'for a node that can send mail' });
    await outbox.enqueue('known', {});
    runner([{ kind: 'known', async run() {} }]);
    await eventually('the known job done', async () => (await store.jobs.list({ limit: 10 })).some((job) => job.kind === 'known' && job.state === 'done'));
    expect((await store.jobs.list({ limit: 10 })).find((job) => job.kind === 'mail')).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

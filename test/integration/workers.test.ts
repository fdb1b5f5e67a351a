/**
 * `workers: 2`: one port served by two processes under a supervisor, on one SQLite file the
 * workers create at start. The guarantees of one node hold across them, a killed worker is
 * replaced, and SIGTERM drains them all.
 */
import { statuses } from '../support/answer-statuses.ts';
import { startKeylineWorkers, type RunningWorkers } from '../support/keyline-workers.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn } from '../support/oidc-flow.ts';
import { runMain } from '../support/run-main.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';
import { steadyLoad, tally, until } from '../support/steady-load.ts';

const REDEMPTIONS = 20;

async function healthChecks(kl: RunningWorkers, count: number): Promise<number[]> {
  // A fresh connection each: the cluster hands out connections, not requests, in turn.
  const answers = await Promise.all(Array.from({ length: count }, () => fetch(`${kl.url}/healthz`, { headers: { connection: 'close' } })));
  return answers.map((answer) => answer.status);
}

describe('workers: 2 on one SQLite file', () => {
  let kl: RunningWorkers;

  beforeAll(async () => {
    kl = await startKeylineWorkers({ workers: 2, config: { metrics: { port: 0 } } });
  });
  afterAll(async () => {
    await kl.stop();
  });

  test('announces once that Keyline is listening, with both workers, after each said it listens', () => {
    expect(kl.records.filter((record) => record.msg === 'Keyline is listening')).toHaveLength(1);
    expect(kl.pids).toHaveLength(2);
    expect(new Set(kl.records.filter((record) => record.msg === 'worker listening').map((record) => record.worker))).toEqual(new Set([1, 2]));
  });

  test('requests are answered by both workers', async () => {
    expect(await healthChecks(kl, 20)).toEqual(Array.from({ length: 20 }, () => 200));
    await kl.waitForRecord((record) => record.msg === 'request' && record.worker === 1);
    await kl.waitForRecord((record) => record.msg === 'request' && record.worker === 2);
  });

  test('the supervisor\'s /metrics sums both workers\' series', async () => {
    const listening = await kl.waitForRecord((record) => record.msg === 'Keyline is listening');
    const text = await (await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`)).text();
    // The 20 health checks of the test before, whichever worker answered each.
    expect(text).toContain('keyline_http_requests_total{method="GET",route="/healthz",status="2xx"} 20');
  });

  test(`one authorization code redeemed ${REDEMPTIONS} times at once through both workers: exactly one gets tokens`, async () => {
    const client = await registerTestClient(kl);
    const signedIn = await signIn(kl, client, await createTestUser(kl));
    const answers = await Promise.all(Array.from({ length: REDEMPTIONS }, () => exchangeCode(kl, client, signedIn)));
    expect(statuses(answers)).toEqual({ 200: 1, 400: REDEMPTIONS - 1 });
  });

  test('a killed worker is replaced and the port keeps answering', async () => {
    const [victim] = kl.pids as [number];
    process.kill(victim, 'SIGKILL');
    const exited = await kl.waitForRecord((record) => record.msg === 'worker exited; starting another' && record.pid === victim);
    expect(exited.signal).toBe('SIGKILL');
    await kl.waitForRecord((record) => record.msg === 'worker listening' && record.worker === 3);
    expect(await healthChecks(kl, 10)).toEqual(Array.from({ length: 10 }, () => 200));
  });

  test('SIGTERM drains every worker and the supervisor exits 0', async () => {
    expect(await kl.terminate()).toBe(0);
    const drained = kl.records.filter((record) => record.msg === 'shutting down' && record.signal === 'drain').map((record) => record.worker);
    expect(new Set(drained)).toEqual(new Set([2, 3]));
    expect(kl.records.at(-1)?.msg).toBe('all workers stopped');
  });
});

test('a workers value that is not a positive whole number or "auto" is one clear line and exit code 1', async () => {
  const directory = temporaryDirectory();
  try {
    const started = await runMain({ KEYLINE_WORKERS: 'many', KEYLINE_STORE: `${directory.path}/keyline.sqlite` });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('workers (KEYLINE_WORKERS): must be a positive whole number or "auto" (one worker per CPU)');
    expect(started.stdout).toBe('');
  } finally {
    directory.remove();
  }
});


describe('a worker killed with SIGKILL under load', () => {
  let kl: RunningWorkers;
  beforeAll(async () => {
    kl = await startKeylineWorkers({ workers: 2 });
  });
  afterAll(async () => {
    await kl.stop();
  });

  test('no request hangs: each is answered or fails with a connection error a client can retry, and the worker is replaced', async () => {
    const load = steadyLoad(kl.url, { keepAlive: 4, fresh: 4 });
    await until(() => load.outcomes.length >= 300);
    const [victim] = kl.pids as [number];
    process.kill(victim, 'SIGKILL');
    await kl.waitForRecord((record) => record.msg === 'worker listening' && record.worker === 3);
    const afterReplacement = load.outcomes.length;
    await until(() => load.outcomes.length >= afterReplacement + 300 && kl.records.some((record) => record.msg === 'request' && record.worker === 3));
    const outcomes = await load.stop();
    const counts = tally(outcomes);
    expect(counts.HANG).toBeUndefined();
    expect(Object.keys(counts).filter((outcome) => !['200', 'ECONNRESET', 'EPIPE'].includes(outcome))).toEqual([]);
    expect(outcomes.slice(afterReplacement + 50).every((outcome) => outcome.status === 200)).toBe(true);
  });
});

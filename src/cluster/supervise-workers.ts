import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import { prepareStoreForServing } from '../store/prepare-for-serving.ts';
import { describeStoreLocation } from '../store/store-location.ts';
import { RestartPolicy } from './restart-policy.ts';
import { serveClusterMetrics } from './serve-cluster-metrics.ts';
import { DRAIN, isReadyMessage, type DrainMessage } from './worker-messages.ts';

/** Set in a worker's environment by its supervisor: a cluster worker started by anything else (PM2) serves alone. */
export const WORKER_OF_ENV = 'KEYLINE_WORKER_OF';

/** A drain that outlasts the longest request (server.requestTimeout is 30 s) is stuck: the rest are killed. */
const DRAIN_DEADLINE_MS = 45_000;

function howItEnded(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * The supervisor (cluster primary): checks the store once, forks `count` workers on the one port,
 * replaces a worker that exits unasked (with a backoff, and gives up when they keep exiting), and on
 * SIGTERM/SIGINT drains every worker and exits 0 once all are gone. It never opens the store or
 * serves requests; with `metrics.port` it serves /metrics with every worker's series summed.
 *
 * The first worker starts alone and the others only once it listens: first-start work (the SQLite
 * schema migration, generating signing keys and the stored secrets, a development secrets-key
 * file) is then done once, by one process, instead of raced by all. The store would settle such a
 * race (migrations under BEGIN IMMEDIATE, keys and secrets insert-if-absent), but a start-up that
 * never races cannot fail on one, and a bad store or port shows up as one worker's error, not N.
 */
export async function superviseWorkers(config: Config, logger: Logger, count: number): Promise<void> {
  // The workers accept from the one listening socket themselves (the kernel shares it out), rather
  // than the supervisor accepting each connection and handing it on (round-robin, node's default
  // elsewhere than Windows): a connection handed to a worker that dies before taking it stays open
  // in the supervisor, unanswered, until the client gives up. Set before the first fork, and over
  // NODE_CLUSTER_SCHED_POLICY: a killed worker must lose nothing but its own connections.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  await prepareStoreForServing(config.store, logger);
  const metricsServer: Server | undefined = config.metrics.port === undefined ? undefined : await serveClusterMetrics(config);
  const alive = new Set<Worker>();
  const ready = new Set<Worker>();
  const restartTimers = new Set<NodeJS.Timeout>();
  const policy = new RestartPolicy();
  let phase: 'starting' | 'serving' | 'draining' = 'starting';
  let exitCode = 0;

  const finish = () => {
    metricsServer?.close();
    logger.info({ exitCode }, exitCode === 0 ? 'all workers stopped' : 'supervisor stopped');
    logger.flush();
    process.exit(exitCode);
  };

  const drain = (reason: string) => {
    if (phase === 'draining') return;
    phase = 'draining';
    logger.info({ signal: reason, workers: alive.size }, 'shutting down');
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    for (const worker of alive) {
      // A worker still starting has no drain handler yet and serves nothing: the signal stops it.
      if (ready.has(worker) && worker.isConnected()) worker.send({ type: DRAIN } satisfies DrainMessage);
      else worker.process.kill('SIGTERM');
    }
    if (alive.size === 0) finish();
    setTimeout(() => {
      process.stderr.write(`keyline: ${alive.size} worker(s) still running ${DRAIN_DEADLINE_MS / 1000} s after the drain began; killing them\n`);
      for (const worker of alive) worker.process.kill('SIGKILL');
      exitCode = 1;
    }, DRAIN_DEADLINE_MS).unref();
  };

  const announce = (port: number) => {
    const metricsAddress = metricsServer ? metricsServer.address() as AddressInfo : undefined;
    const pids = [...ready].map((worker) => worker.process.pid);
    logger.info({
      issuer: config.issuer, host: config.host, port, metricsHost: metricsAddress?.address, metricsPort: metricsAddress?.port, store: describeStoreLocation(config.store), workers: count, pids,
    }, 'Keyline is listening');
  };

  const fork = () => {
    const worker = cluster.fork({ [WORKER_OF_ENV]: String(process.pid) });
    alive.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isReadyMessage(message)) return;
      if (phase === 'draining') {
        worker.send({ type: DRAIN } satisfies DrainMessage);
        return;
      }
      ready.add(worker);
      if (phase !== 'starting') return;
      if (ready.size === 1) for (let next = 1; next < count; next += 1) fork();
      if (ready.size === count) {
        phase = 'serving';
        announce(message.port);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker);
    ready.delete(worker);
    if (phase === 'draining') {
      if (alive.size === 0) finish();
      return;
    }
    if (phase === 'starting') {
      process.stderr.write(`keyline: worker ${worker.id} ${howItEnded(code, signal)} before it was listening; not starting the others\n`);
      exitCode = 1;
      drain('a worker failed to start');
      return;
    }
    const decision = policy.afterExit();
    if (decision.kind === 'give-up') {
      process.stderr.write(`keyline: workers keep exiting (${decision.exits} within ${decision.windowMs / 1000} s; the last, worker ${worker.id}, ${howItEnded(code, signal)}); stopping\n`);
      exitCode = 1;
      drain('workers keep exiting');
      return;
    }
    logger.warn({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: decision.delayMs }, 'worker exited; starting another');
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      fork();
    }, decision.delayMs);
    restartTimers.add(timer);
  });

  process.on('SIGINT', () => drain('SIGINT'));
  process.on('SIGTERM', () => drain('SIGTERM'));
  fork();
}

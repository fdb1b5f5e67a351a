import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { offerMetricsToSupervisor } from './cluster/offer-metrics-to-supervisor.ts';
import { isDrainMessage, READY, type ReadyMessage } from './cluster/worker-messages.ts';
import type { Config } from './config/schema.ts';
import type { Logger } from './logger.ts';
import { openSecretCipher } from './keys/open-secret-cipher.ts';
import { openStore } from './store/open-store.ts';
import { prepareStoreForServing } from './store/prepare-for-serving.ts';
import { describeStoreLocation } from './store/store-location.ts';
import { drainable } from './http/drain-server.ts';

/** How long a shutdown waits for requests in progress (Kubernetes' default grace period is 30 s). */
const DRAIN_GRACE_MS = 20_000;

/** A worker of a supervisor (node:cluster): its id, from `cluster.worker.id`. */
export interface WorkerRole {
  id: number;
}

/**
 * store → app → listen, and a graceful shutdown on SIGINT/SIGTERM. Alone (no `worker`), this is the
 * whole of Keyline. As a worker, the supervisor has already checked the store, serves the metrics
 * port itself (aggregated), announces the port, and asks for a drain over IPC rather than by signal.
 */
export async function serveKeyline(config: Config, baseLogger: Logger, worker?: WorkerRole): Promise<void> {
  const logger = worker ? baseLogger.child({ worker: worker.id }) : baseLogger;
  if (!worker) await prepareStoreForServing(config.store, logger);
  const secretCipher = openSecretCipher(config, logger);
  const store = await openStore(config);
  const keyline = await createApp({ config, store, logger, secretCipher });
  const server = createServer(keyline.requestListener);
  const drain = drainable(server);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  if (worker && keyline.metricsApp) offerMetricsToSupervisor(keyline.metrics.registry);
  const metricsServer = keyline.metricsApp && !worker ? createServer(keyline.metricsApp.callback()) : undefined;
  if (metricsServer) {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(config.metrics.port, config.metrics.host, resolve);
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    metricsServer?.close();
    // Requests already in progress get their answers before the store they need is closed.
    await drain.drain(DRAIN_GRACE_MS);
    await keyline.close();
    await store.close();
    logger.flush();
    process.exit(0);
  };
  // `on`, not `once`: a second signal during the drain must not kill the process half-way.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const { port } = server.address() as AddressInfo;
  if (worker) {
    process.on('message', (message) => { if (isDrainMessage(message)) void shutdown('drain'); });
    // The supervisor is gone (killed): nobody would restart or stop this worker.
    process.once('disconnect', () => void shutdown('supervisor gone'));
    logger.info({ pid: process.pid, port }, 'worker listening');
    process.send!({ type: READY, port } satisfies ReadyMessage);
    return;
  }
  // Announced only once a signal would be handled: a supervisor may stop us the moment it reads this.
  const metricsAddress = metricsServer ? metricsServer.address() as AddressInfo : undefined;
  logger.info({
    issuer: config.issuer, host: config.host, port, metricsHost: metricsAddress?.address, metricsPort: metricsAddress?.port, store: describeStoreLocation(config.store),
  }, 'Keyline is listening');
}

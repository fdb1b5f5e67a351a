import cluster from 'node:cluster';
import { superviseWorkers, WORKER_OF_ENV } from './cluster/supervise-workers.ts';
import { workerCount } from './cluster/worker-count.ts';
import { ConfigError } from './config/config-error.ts';
import { loadConfig } from './config/load-config.ts';
import { createLogger, defaultLogFormat } from './logger.ts';
import { serveKeyline } from './serve-keyline.ts';
import { StoreUnavailableError } from './store/store-errors.ts';
import { SecretsKeyError } from './keys/secrets-key-error.ts';

/** Process entry: config, then serve alone (workers: 1), supervise N workers, or be one of them. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, defaultLogFormat(config.logFormat));
  if (cluster.isWorker && process.env[WORKER_OF_ENV]) return serveKeyline(config, logger, { id: cluster.worker!.id });
  const workers = workerCount(config.workers);
  if (workers === 1) return serveKeyline(config, logger);
  return superviseWorkers(config, logger, workers);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StoreUnavailableError || error instanceof SecretsKeyError || (error instanceof Error && error.name === 'MongoIndexesMissingError')) {
    process.stderr.write(`keyline: ${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`keyline: port is already in use (${(error as Error).message})\n`);
  } else {
    process.stderr.write(`keyline: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError } from './config/config-error.ts';
import { loadConfig } from './config/load-config.ts';
import { createLogger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { prepareStoreForServing } from './store/prepare-for-serving.ts';
import { StoreUnavailableError } from './store/store-errors.ts';
import { describeStoreLocation } from './store/store-location.ts';

/** Process entry: config → store → app → listen, and a graceful shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  await prepareStoreForServing(config.store, logger);
  const store = await openStore(config);
  const keyline = await createApp({ config, store, logger });
  const server = createServer(keyline.app.callback());
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ issuer: config.issuer, host: config.host, port, store: describeStoreLocation(config.store) }, 'Keyline is listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    await keyline.close();
    await store.close();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StoreUnavailableError || (error instanceof Error && error.name === 'MongoIndexesMissingError')) {
    process.stderr.write(`keyline: ${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`keyline: port is already in use (${(error as Error).message})\n`);
  } else {
    process.stderr.write(`keyline: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});

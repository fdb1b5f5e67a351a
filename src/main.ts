import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError } from './config/config-error.ts';
import { loadConfig } from './config/load-config.ts';
import { createLogger, defaultLogFormat } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { prepareStoreForServing } from './store/prepare-for-serving.ts';
import { StoreUnavailableError } from './store/store-errors.ts';
import { SecretsKeyError } from './keys/secrets-key-error.ts';
import { openSecretCipher } from './keys/open-secret-cipher.ts';
import { describeStoreLocation } from './store/store-location.ts';

/** Process entry: config → store → app → listen, and a graceful shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, defaultLogFormat(config.logFormat));
  await prepareStoreForServing(config.store, logger);
  const secretCipher = openSecretCipher(config, logger);
  const store = await openStore(config);
  const keyline = await createApp({ config, store, logger, secretCipher });
  const server = createServer(keyline.app.callback());
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const metricsServer = keyline.metricsApp ? createServer(keyline.metricsApp.callback()) : undefined;
  if (metricsServer) {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(config.metrics.port, config.host, resolve);
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    metricsServer?.close();
    await keyline.close();
    await store.close();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // Announced only once a signal would be handled: a supervisor may stop us the moment it reads this.
  const { port } = server.address() as AddressInfo;
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : undefined;
  logger.info({ issuer: config.issuer, host: config.host, port, metricsPort, store: describeStoreLocation(config.store) }, 'Keyline is listening');
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

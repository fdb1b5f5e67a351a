import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type KeylineApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import type { Tracing } from '../../src/http/tracing.ts';

/** The secrets key every test Keyline and test CLI run uses, so no test writes a development key file. */
export const TEST_SECRETS_KEY = 'test-secrets-key-0123456789abcdefghijklmnop';

export interface RunningKeyline {
  url: string;
  config: Config;
  store: Store;
  keyline: KeylineApp;
  /** Where /metrics is served when `metrics.port` puts it on a port of its own. */
  metricsUrl: string | undefined;
  /** Every log line written so far, for tests that check what is (not) logged. */
  logs: string[];
  stop(options?: { keepStore?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** A SQLite path or mongodb:// URL; a fresh temp SQLite file when omitted. */
  store?: string;
  config?: Record<string, unknown>;
  logLevel?: string;
  /** Listen on this port (to restart "the same" server); ephemeral when omitted. */
  port?: number;
  /** A fake clock for the signing-key schedule. */
  clock?: () => number;
  tracing?: Tracing;
  /**
   * The issuer's host name (still listening on 127.0.0.1). Passkeys need "localhost": WebAuthn
   * refuses an IP address as the relying party id.
   */
  hostname?: 'localhost' | '127.0.0.1';
}

export function temporaryDirectory(prefix = 'keyline-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts a real Keyline on 127.0.0.1 and an ephemeral port, on a real store. */
export async function startKeyline(options: StartOptions = {}): Promise<RunningKeyline> {
  const directory = options.store ? undefined : temporaryDirectory();
  const storeLocation = options.store ?? join(directory!.path, 'keyline.sqlite');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const config = parseConfig({ issuer: url, port, host: '127.0.0.1', store: storeLocation, secrets: { keys: [TEST_SECRETS_KEY] }, ...options.config });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { logs.push(String(chunk)); done(); } });
  const logger = createLogger(options.logLevel ?? 'info', sink);
  const store = await openStore(config);
  let keyline: KeylineApp;
  try {
    keyline = await createApp({ config, store, logger, clock: options.clock, tracing: options.tracing });
  } catch (error) {
    server.close();
    await store.close();
    directory?.remove();
    throw error;
  }
  server.on('request', keyline.requestListener);
  let metricsServer: Server | undefined;
  if (keyline.metricsApp) {
    const separate = createServer(keyline.metricsApp.callback());
    metricsServer = separate;
    await new Promise<void>((resolve) => separate.listen(0, '127.0.0.1', resolve));
  }
  return {
    url,
    config,
    store,
    keyline,
    metricsUrl: metricsServer ? `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics` : undefined,
    logs,
    async stop({ keepStore = false } = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      metricsServer?.closeAllConnections();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await keyline.close();
      await store.close();
      if (!keepStore) directory?.remove();
    },
  };
}

/**
 * A MongoDB for tests, in this order of preference:
 *   1. MONGODB_URI (a real MongoDB, say);
 *   2. KEYLINE_TEST_MONGODB_URI (the FerretDB .ci/run starts once for the whole run);
 *   3. a FerretDB this process starts itself, from $FERRETDB_BIN or ~/go/bin/ferretdb
 *      (built with scripts/ferretdb.sh when missing and Go is there).
 * When none can be had, it throws: a run never skips the MongoDB suite without saying so.
 *
 * Free of jest globals, so benchmarks can use it too.
 */
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { spawnGuarded, stopGuarded } from './guarded-child.ts';

export interface FerretDbServer {
  url: string;
  port: number;
  /** Where its data lives; start another on the same directory and port to bring "the same database" back. */
  dataDirectory: string;
  /** Stops the server; the data directory stays unless `removeData` is set. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

let ownServer: Promise<FerretDbServer> | undefined;

/** The base URL of the MongoDB the tests use (see the top of this file). Use uniqueDatabaseUrl on it. */
export async function mongoTestUrl(): Promise<string> {
  const configured = process.env['MONGODB_URI'] || process.env['KEYLINE_TEST_MONGODB_URI'];
  if (configured) return configured;
  ownServer ??= startFerretDb();
  return (await ownServer).url;
}

/** Stops the FerretDB mongoTestUrl started, if it started one (call it in afterAll). */
export async function stopMongoTestServer(): Promise<void> {
  const server = ownServer;
  ownServer = undefined;
  if (server) await (await server).stop({ removeData: true });
}

/** The same server with a database of its own (`keyline_test_<random>`), so test files never collide. */
export function uniqueDatabaseUrl(baseUrl: string, prefix = 'keyline_test'): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)(?:([^@/?]*)@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(baseUrl);
  if (!match) throw new Error('not a mongodb:// or mongodb+srv:// URL');
  const [, scheme, userInfo, hosts, database, query] = match;
  const options = new URLSearchParams(query ?? '');
  // Credentials are checked against the URL's database unless authSource says otherwise; keep that.
  const namesAuthSource = [...options.keys()].some((key) => key.toLowerCase() === 'authsource');
  if (userInfo && !namesAuthSource) options.set('authSource', database || 'admin');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const search = options.size > 0 ? `?${options.toString()}` : '';
  return `${scheme}${userInfo ? `${userInfo}@` : ''}${hosts}/${name}${search}`;
}

/** Drops the database the URL names. */
export async function dropDatabase(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}

/**
 * Starts a FerretDB (SQLite handler) on 127.0.0.1, with the flags scripts/ferretdb.sh uses:
 * loopback only, no telemetry. It is stopped when this process ends, however it ends, because it
 * runs under a guard shell that stops it once our end of its stdin pipe closes.
 */
export async function startFerretDb(options: { port?: number; dataDirectory?: string } = {}): Promise<FerretDbServer> {
  const binary = ferretDbBinary();
  const dataDirectory = options.dataDirectory ?? mkdtempSync(join(tmpdir(), 'keyline-ferretdb-'));
  const attempts = options.port ? 1 : 3; // a free port found now may be taken before FerretDB binds it
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = options.port ?? await freePort();
    try {
      const child = await launch(binary, dataDirectory, port);
      return {
        url: `mongodb://127.0.0.1:${port}/`,
        port,
        dataDirectory,
        async stop({ removeData = false } = {}) {
          await stopGuarded(child, STOP_TIMEOUT_MS);
          if (removeData) rmSync(dataDirectory, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  if (!options.dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  throw lastError;
}

function ferretDbBinary(): string {
  const binary = process.env['FERRETDB_BIN'] || join(homedir(), 'go', 'bin', 'ferretdb');
  if (existsSync(binary)) return binary;
  const build = spawnSync('bash', [join(REPOSITORY_ROOT, 'scripts', 'ferretdb.sh'), 'build'], {
    env: { ...process.env, FERRETDB_BIN: binary },
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (build.status === 0 && existsSync(binary)) return binary;
  throw new Error([
    'No MongoDB for the tests: MONGODB_URI and KEYLINE_TEST_MONGODB_URI are unset, and FerretDB is not at',
    `${binary} and could not be built there (scripts/ferretdb.sh build needs Go):`,
    `${build.stdout ?? ''}${build.stderr ?? ''}${build.error ? String(build.error) : ''}`.trim(),
  ].join('\n'));
}

async function launch(binary: string, dataDirectory: string, port: number): Promise<ChildProcess> {
  const logPath = join(dataDirectory, 'ferretdb.log');
  const log = openSync(logPath, 'a');
  const child = spawnGuarded('ferretdb-guard', binary, [
    `--listen-addr=127.0.0.1:${port}`,
    '--handler=sqlite',
    `--sqlite-url=file:${dataDirectory}/`,
    `--state-dir=${dataDirectory}`,
    '--telemetry=disable',
    '--debug-addr=127.0.0.1:0',
  ], {
    stdout: log,
    stderr: log,
    env: { ...process.env, FERRETDB_LOG_LEVEL: process.env['FERRETDB_LOG_LEVEL'] ?? 'warn' },
  });
  closeSync(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await portAnswers(port))) {
    if (exited || Date.now() > deadline) {
      await stopGuarded(child, STOP_TIMEOUT_MS);
      const why = exited ? 'exited before listening' : `did not listen within ${START_TIMEOUT_MS} ms`;
      throw new Error(`FerretDB (${binary}) ${why} on 127.0.0.1:${port}; its log:\n${readFileSync(logPath, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Do not keep the test process alive for it; the guard stops it when we go.
  child.unref();
  (child.stdin as { unref?: () => void } | null)?.unref?.();
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { spawnGuarded, stopGuarded } from './guarded-child.ts';
import { TEST_SECRETS_KEY, temporaryDirectory, type RunningKeyline } from './start-keyline.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const WAIT_MS = 30_000;

export interface LogRecord {
  msg?: string;
  worker?: number;
  pid?: number;
  pids?: number[];
  signal?: string;
  [field: string]: unknown;
}

export interface RunningWorkers extends RunningKeyline {
  /** The workers' pids when all were first listening. */
  pids: number[];
  /** Every JSON line the supervisor and its workers wrote to stdout. */
  records: LogRecord[];
  /** Resolves with the first record (already written or still to come) that `matches`. */
  waitForRecord(matches: (record: LogRecord) => boolean): Promise<LogRecord>;
  /** Asks the supervisor to stop (SIGTERM) and resolves with its exit code. */
  terminate(): Promise<number | null>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * `node src/main.ts` with `workers` set, on a fresh SQLite file, as an operator would run it: the
 * workers create the store. Only once they listen does the test open the same store in-process
 * (its `keyline` serves no traffic), to register clients and users as the CLI would.
 */
export async function startKeylineWorkers(options: { workers: number; config?: Record<string, unknown> }): Promise<RunningWorkers> {
  const directory = temporaryDirectory('keyline-workers-');
  // The issuer names the port, so it is chosen before the start (and is free unless raced for).
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    issuer: url, port, host: '127.0.0.1', store: join(directory.path, 'keyline.sqlite'), workers: options.workers,
    secrets: { keys: [TEST_SECRETS_KEY] }, ...options.config,
  });
  const configPath = join(directory.path, 'keyline.yaml');
  writeFileSync(configPath, JSON.stringify(config));

  const child: ChildProcess = spawnGuarded('keyline-workers', process.execPath, [MAIN], {
    stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH, KEYLINE_CONFIG: configPath, NODE_ENV: 'test' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const records: LogRecord[] = [];
  const waiters: Array<{ matches: (record: LogRecord) => boolean; resolve: (record: LogRecord) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      return;
    }
    records.push(record);
    for (const waiter of [...waiters]) {
      if (waiter.matches(record)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    }
  });
  const waitForRecord = (matches: (record: LogRecord) => boolean) => new Promise<LogRecord>((resolve, reject) => {
    const already = records.find(matches);
    if (already) return resolve(already);
    const timer = setTimeout(() => reject(new Error(`no matching log line within ${WAIT_MS} ms; stderr: ${stderr}`)), WAIT_MS);
    waiters.push({ matches, resolve: (record) => { clearTimeout(timer); resolve(record); } });
  });

  let listening: LogRecord;
  try {
    listening = await Promise.race([
      waitForRecord((record) => record.msg === 'Keyline is listening'),
      exited.then((code) => { throw new Error(`Keyline exited with ${code} before listening: ${stderr}`); }),
    ]);
  } catch (error) {
    await stopGuarded(child);
    directory.remove();
    throw error;
  }

  const store = await openStore(config);
  const sink = new Writable({ write(_chunk, _encoding, done) { done(); } });
  const keyline = await createApp({ config, store, logger: createLogger('silent', sink) });
  let stopped = false;
  const terminate = async () => {
    if (!stopped) {
      stopped = true;
      await stopGuarded(child, WAIT_MS);
    }
    return exited;
  };
  return {
    url,
    config,
    store,
    keyline,
    metricsUrl: undefined,
    logs: [],
    pids: listening.pids ?? [],
    records,
    waitForRecord,
    terminate,
    async stop() {
      await terminate();
      await keyline.close();
      await store.close();
      directory.remove();
    },
  };
}

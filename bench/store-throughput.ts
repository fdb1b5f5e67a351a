/**
 * Store throughput: 10k upserts, then 10k finds, one at a time and with 32 in flight, per backend.
 * A benchmark, not a test: it prints figures and asserts nothing.
 *
 *   node bench/store-throughput.ts [sqlite|mongo] [--count N]
 *
 * mongo uses MONGODB_URI or KEYLINE_TEST_MONGODB_URI, else starts a FerretDB (see test/support/mongo-server.ts).
 * FerretDB v1's SQLite handler scans the whole collection for every query, even by _id, so its
 * figures fall as the collection grows and say nothing about MongoDB: use --count 2000 there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { withMongoDatabase } from '../src/store/mongo/mongo-connection.ts';
import { migrateMongo } from '../src/store/mongo/mongo-indexes.ts';
import { serverFlavor } from '../src/store/mongo/mongo-server-flavor.ts';
import { openMongoStore } from '../src/store/mongo/open-mongo-store.ts';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { dropDatabase, mongoTestUrl, stopMongoTestServer, uniqueDatabaseUrl } from '../test/support/mongo-server.ts';

type BackendName = 'sqlite' | 'mongo';

interface BenchStore {
  label: string;
  store: Store;
  dispose(): Promise<void>;
}

const IN_FLIGHT = 32;

async function openSqlite(): Promise<BenchStore> {
  const directory = mkdtempSync(join(tmpdir(), 'keyline-bench-'));
  const store = openSqliteStore(join(directory, 'keyline.sqlite'));
  return {
    label: 'sqlite (WAL, synchronous=NORMAL)',
    store,
    async dispose() {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function openMongo(): Promise<BenchStore> {
  const url = uniqueDatabaseUrl(await mongoTestUrl(), 'keyline_bench');
  const flavor = await withMongoDatabase(url, serverFlavor);
  await migrateMongo(url);
  const store = await openMongoStore(url);
  return {
    label: `mongo on ${flavor.name} ${flavor.version}`,
    store,
    async dispose() {
      await store.close();
      await dropDatabase(url);
    },
  };
}

function payloadFor(index: number) {
  return {
    accountId: `account-${index % 500}`,
    grantId: `grant-${index % 2000}`,
    clientId: 'bench-client',
    kind: 'AccessToken',
    scope: 'openid email profile',
    iat: 1_700_000_000 + index,
    exp: 1_700_003_600 + index,
    extra: { resource: 'https://api.example.com/v1', claims: ['sub', 'email'] },
  };
}

/** Runs `operation(0..count-1)` with `inFlight` calls outstanding at a time; returns elapsed ms and per-call latencies. */
async function timed(count: number, inFlight: number, operation: (index: number) => Promise<unknown>) {
  const latencies = new Float64Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const callStarted = performance.now();
      await operation(index);
      latencies[index] = performance.now() - callStarted;
    }
  }));
  const elapsed = performance.now() - started;
  latencies.sort();
  const percentile = (p: number) => latencies[Math.min(count - 1, Math.floor(count * p))]!;
  return { elapsed, p50: percentile(0.5), p99: percentile(0.99) };
}

function report(label: string, operation: string, inFlight: number, count: number, result: Awaited<ReturnType<typeof timed>>) {
  const opsPerSecond = Math.round(count / (result.elapsed / 1000));
  console.log([
    label.padEnd(36), operation.padEnd(7), `${inFlight} in flight`.padEnd(13),
    `${Math.round(result.elapsed)} ms`.padStart(9), `${opsPerSecond} ops/s`.padStart(13),
    `p50 ${result.p50.toFixed(3)} ms`.padStart(16), `p99 ${result.p99.toFixed(3)} ms`.padStart(16),
  ].join('  '));
}

async function bench(backend: BackendName, count: number): Promise<void> {
  for (const inFlight of [1, IN_FLIGHT]) {
    // A fresh store for each pass, so both start from an empty collection.
    const opened = backend === 'sqlite' ? await openSqlite() : await openMongo();
    const { oidc } = opened.store;
    try {
      const upserts = await timed(count, inFlight, (index) => oidc.upsert('AccessToken', `token-${index}`, payloadFor(index), 3600));
      report(opened.label, 'upsert', inFlight, count, upserts);
      const finds = await timed(count, inFlight, async (index) => {
        if (!(await oidc.find('AccessToken', `token-${(index * 7919) % count}`))) throw new Error('a stored record was not found');
      });
      report(opened.label, 'find', inFlight, count, finds);
    } finally {
      await opened.dispose();
    }
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '10000' } },
});
const count = Number(values.count);
const chosen = positionals.length > 0 ? positionals : ['sqlite', 'mongo'];
for (const name of chosen) {
  if (name !== 'sqlite' && name !== 'mongo') throw new Error(`unknown backend "${name}": use sqlite or mongo`);
}

console.log(`node ${process.version}, ${count} records per run`);
try {
  for (const name of chosen as BackendName[]) await bench(name, count);
} finally {
  await stopMongoTestServer();
}

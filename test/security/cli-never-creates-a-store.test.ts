/**
 * Issue 19, item 19: a typo in KEYLINE_STORE must not send an administrator's work (a new user, a
 * new client) into a fresh, empty store the server never reads. Only `keyline migrate` (and the
 * server itself) create a store; every other verb refuses with one line naming where it looked.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describeMongoUrl } from '../../src/store/mongo/mongo-url.ts';
import { dropDatabase, mongoTestUrl, stopMongoTestServer, uniqueDatabaseUrl } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';

afterAll(stopMongoTestServer);

const PASSWORD = 'a good long password';

/** One verb of every noun that works on the store, readers and writers alike. */
const VERBS: Array<{ args: string[]; stdin?: string }> = [
  { args: ['users', 'add', 'typo@example.test'], stdin: PASSWORD },
  { args: ['users', 'list'] },
  { args: ['clients', 'add', '--name', 'Typo', '--redirect-uri', 'https://app.example.test/cb'] },
  { args: ['clients', 'list'] },
  { args: ['resources', 'add', 'https://api.example.test'] },
  { args: ['sessions', 'list', 'typo@example.test'] },
  { args: ['keys', 'list'] },
  { args: ['registration', 'token', 'create'] },
  { args: ['audit', 'verify'] },
  { args: ['jobs', 'list'] },
];

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('on SQLite, every verb but migrate refuses a store file that is not there, in one line, and creates nothing', async () => {
  const missing = join(tmpdir(), `keyline-typo-${process.pid}`, 'keyline.sqllite');
  // All at once: a verb that created the store would let the others find it.
  const results = await Promise.all(VERBS.map(({ args, stdin }) => runCli({ store: missing }, args, stdin)));
  for (const [index, result] of results.entries()) {
    const context = VERBS[index]!.args.join(' ');
    expect([context, result.code]).toEqual([context, 1]);
    expect([context, result.stderr]).toEqual([context, expect.stringMatching(
      new RegExp(`^keyline: no Keyline store at SQLite at ${escaped(missing)}: .*\`keyline migrate\`[^\\n]*\\n$`),
    )]);
    expect([context, existsSync(missing), existsSync(dirname(missing))]).toEqual([context, false, false]);
  }

  const migrated = await runCli({ store: missing }, ['migrate']);
  try {
    expect(migrated.code).toBe(0);
    expect(existsSync(missing)).toBe(true);
    expect((await runCli({ store: missing }, ['users', 'add', 'typo@example.test'], PASSWORD)).code).toBe(0);
    expect((await runCli({ store: missing }, ['users', 'list'])).stdout).toContain('typo@example.test');
  } finally {
    const { rmSync } = await import('node:fs');
    rmSync(dirname(missing), { recursive: true, force: true });
  }
}, 120_000); // thirteen CLI processes

test('on MongoDB, a database keyline migrate has not prepared is no store: every verb but migrate refuses and writes nothing', async () => {
  const url = uniqueDatabaseUrl(await mongoTestUrl(), 'keyline_typo');
  const collections = async () => {
    const client = new MongoClient(url);
    try {
      return (await client.db().listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name);
    } finally {
      await client.close();
    }
  };
  try {
    const results = await Promise.all(VERBS.map(({ args, stdin }) => runCli({ store: url }, args, stdin)));
    for (const [index, result] of results.entries()) {
      const context = VERBS[index]!.args.join(' ');
      expect([context, result.code]).toEqual([context, 1]);
      expect([context, result.stderr]).toEqual([context, expect.stringMatching(
        new RegExp(`^keyline: no Keyline store at MongoDB at ${escaped(describeMongoUrl(url))}: .*\`keyline migrate\`[^\\n]*\\n$`),
      )]);
    }
    const doctor = await runCli({ store: url }, ['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(new RegExp(`^FAIL  store: no Keyline store at MongoDB at ${escaped(describeMongoUrl(url))}: .*keyline migrate`, 'm'));
    expect(await collections()).toEqual([]);

    expect((await runCli({ store: url }, ['migrate'])).code).toBe(0);
    expect((await runCli({ store: url }, ['users', 'add', 'typo@example.test'], PASSWORD)).code).toBe(0);
    expect((await runCli({ store: url }, ['users', 'list'])).stdout).toContain('typo@example.test');
  } finally {
    await dropDatabase(url);
  }
}, 120_000); // fourteen CLI processes

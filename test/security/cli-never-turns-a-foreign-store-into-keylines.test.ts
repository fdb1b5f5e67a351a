/**
 * Review of issue 19, item 19: the CLI refused a missing SQLite file, but any file that existed
 * counted as a store. KEYLINE_STORE pointing at another application's SQLite database (or at an
 * empty file) had `keyline users list` write Keyline's whole schema into it, and `users add`
 * provision users into it: a store the server never reads, made by a verb other than migrate.
 * On MongoDB, any one of Keyline's collection names was enough, and they are common ones
 * (`accounts`, `clients`, `jobs`): another application's database with an `accounts` collection
 * had `users add` insert into it. A MongoDB store is now what the server would serve: every one of
 * Keyline's indexes in place. SQLite now asks for Keyline's tables.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MongoClient } from 'mongodb';
import { dropDatabase, mongoTestUrl, stopMongoTestServer, uniqueDatabaseUrl } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';

const VERBS: Array<{ args: string[]; stdin?: string }> = [
  { args: ['users', 'list'] },
  { args: ['users', 'add', 'typo@example.test'], stdin: 'a good long password' },
  { args: ['clients', 'add', '--name', 'Typo', '--redirect-uri', 'https://app.example.test/cb'] },
  { args: ['keys', 'list'] },
];

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const directory = temporaryDirectory();
afterAll(async () => {
  directory.remove();
  await stopMongoTestServer();
});

test.each([
  ['another application\'s SQLite database', (path: string) => {
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER); PRAGMA user_version = 3;');
    db.close();
  }],
  ['an empty file', (path: string) => writeFileSync(path, '')],
])('every verb but migrate refuses %s in one line and leaves it as it was', async (_case, make) => {
  const path = join(directory.path, `${_case.length}.db`);
  make(path);
  const before = digest(path);
  const results = await Promise.all(VERBS.map(({ args, stdin }) => runCli({ store: path }, args, stdin)));
  for (const [index, result] of results.entries()) {
    const context = VERBS[index]!.args.join(' ');
    expect([context, result.code]).toEqual([context, 1]);
    expect([context, result.stderr]).toEqual([context, expect.stringMatching(/^keyline: no Keyline store at SQLite at [^\n]*: the file is not a Keyline store[^\n]*\n$/)]);
  }
  expect(digest(path)).toBe(before);
}, 60_000);

test('a store keyline migrate made is still a store', async () => {
  const path = join(directory.path, 'keyline.sqlite');
  expect((await runCli({ store: path }, ['migrate'])).code).toBe(0);
  expect(await runCli({ store: path }, ['users', 'list'])).toMatchObject({ code: 0, stderr: '' });
}, 60_000);

test('on MongoDB, another application\'s database with an `accounts` collection is no store: refused, and its collection untouched', async () => {
  const url = uniqueDatabaseUrl(await mongoTestUrl(), 'keyline_foreign');
  const client = new MongoClient(url);
  try {
    await client.db().collection('accounts').insertOne({ owner: 'the other application' });
    const results = await Promise.all(VERBS.map(({ args, stdin }) => runCli({ store: url }, args, stdin)));
    for (const [index, result] of results.entries()) {
      const context = VERBS[index]!.args.join(' ');
      expect([context, result.code]).toEqual([context, 1]);
      expect([context, result.stderr]).toEqual([context, expect.stringMatching(/^keyline: no Keyline store at MongoDB at [^\n]*`keyline migrate`[^\n]*\n$/)]);
    }
    expect(await client.db().collection('accounts').find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ owner: 'the other application' }]);
    expect((await client.db().listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name)).toEqual(['accounts']);
  } finally {
    await client.close();
    await dropDatabase(url);
  }
}, 120_000);

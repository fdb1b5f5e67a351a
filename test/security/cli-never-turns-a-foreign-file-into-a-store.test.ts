/**
 * Review of issue 19, item 19: the CLI refused a missing SQLite file, but any file that existed
 * counted as a store. KEYLINE_STORE pointing at another application's SQLite database (or at an
 * empty file) had `keyline users list` write Keyline's whole schema into it, and `users add`
 * provision users into it: a store the server never reads, made by a verb other than migrate.
 * On MongoDB the same check already asks for Keyline's collections; SQLite now asks for its tables.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
afterAll(() => directory.remove());

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

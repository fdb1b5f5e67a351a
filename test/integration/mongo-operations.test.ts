import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dropDatabase, mongoTestUrl, stopMongoTestServer, uniqueDatabaseUrl } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_SECRETS_KEY } from '../support/start-keyline.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const databases: string[] = [];

async function freshDatabase(): Promise<string> {
  const url = uniqueDatabaseUrl(await mongoTestUrl());
  databases.push(url);
  return url;
}

afterAll(async () => {
  for (const url of databases) await dropDatabase(url).catch(() => undefined);
  await stopMongoTestServer();
});

test('the server refuses to start on a MongoDB that `keyline migrate` has not prepared, and says how to fix it', async () => {
  const store = await freshDatabase();
  const started = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY, KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: store, KEYLINE_HOST: '127.0.0.1', PORT: '0' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(started.status).toBe(1);
  expect(started.stderr).toMatch(/^keyline: MongoDB indexes are missing \(.+\): run `npx keyline migrate`\n$/);
});

test('`keyline migrate` creates the indexes once, reports a skipped TTL index where the server has none, and doctor is then satisfied', async () => {
  const store = await freshDatabase();
  const first = await runCli({ store }, ['migrate']);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/created index .*uid/);
  expect(first.stdout).toMatch(/grantId/);
  expect(first.stdout).toMatch(/email/);
  // FerretDB has no TTL indexes; a real MongoDB gets them.
  expect(first.stdout).toMatch(/TTL index .*expiresAt|skipped TTL index/);

  const again = await runCli({ store }, ['migrate']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/0 indexes created/);

  const doctor = await runCli({ store }, ['doctor']);
  expect(doctor.stderr).toBe('');
  expect(doctor.code).toBe(0);
  expect(doctor.stdout).toContain('ok    store indexes: all in place');
});

test('the CLI works on MongoDB: users and clients, with the same duplicate refusals', async () => {
  const store = await freshDatabase();
  await runCli({ store }, ['migrate']);
  expect((await runCli({ store }, ['users', 'add', 'mongo@example.test'], 'a good long password')).code).toBe(0);
  const duplicate = await runCli({ store }, ['users', 'add', 'mongo@example.test'], 'a good long password');
  expect(duplicate.code).toBe(1);
  expect(duplicate.stderr).toMatch(/already exists/);
  const listed = JSON.parse((await runCli({ store }, ['users', 'list', '--json'])).stdout) as Array<{ email: string }>;
  expect(listed.map((user) => user.email)).toEqual(['mongo@example.test']);
});

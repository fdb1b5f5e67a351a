import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AdminSession } from '../support/admin-api.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * The config refuses a claim scope that is also an API's scope (a token would not say which was
 * meant, and a client given the claim scope would carry it to the API as a permission). An API
 * added or changed at run time, by the admin API or `keyline resources`, must be held to the same
 * rule. (Which backend stores the resource does not matter to this check.)
 */
const DECLARATIONS = {
  attributes: [{ name: 'department', type: 'string' }],
  claims: { org: { department: 'attribute.department' } },
};

describe('an API scope named like a claim scope', () => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  const configDirectory = temporaryDirectory();
  const configFile = join(configDirectory.path, 'keyline.yaml');
  afterAll(() => configDirectory.remove());

  useKeyline(sqliteBackend, { config: DECLARATIONS }, async (ready) => {
    kl = ready.kl;
    writeFileSync(configFile, stringify(DECLARATIONS));
    admin = await AdminSession.open(kl);
  });

  test('admin API: a new resource with the scope is refused, naming it, and nothing is stored', async () => {
    const refused = await admin.call('POST', '/resources', { indicator: 'https://api.example.test/', scopes: ['read', 'org'] });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('"org"');
    expect(await kl.store.resources.find('https://api.example.test/')).toBeUndefined();
  });

  test('admin API: a stored resource cannot be given the scope later', async () => {
    await admin.expect(201, 'POST', '/resources', { indicator: 'https://later.example.test/', scopes: ['read'] });
    const refused = await admin.call('PATCH', `/resources/${encodeURIComponent('https://later.example.test/')}`, { scopes: ['read', 'org'] });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('"org"');
    expect((await kl.store.resources.find('https://later.example.test/'))?.scopes).toEqual(['read']);
  });

  test('CLI: resources add with the scope is an error line naming it', async () => {
    const added = await runCli(kl, ['resources', 'add', 'https://cli.example.test/', '--scopes', 'org'], '', { KEYLINE_CONFIG: configFile });
    expect(added.code).toBe(1);
    expect(added.stderr).toContain('"org"');
    expect(await kl.store.resources.find('https://cli.example.test/')).toBeUndefined();
  });
});

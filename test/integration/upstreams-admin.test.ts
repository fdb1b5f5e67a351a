/**
 * Upstream identity providers administered through the CLI and the admin API, over HTTP on a real
 * Keyline, on both backends: what one adds the other sees, secrets go in and never come out.
 */
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const CLIENT_SECRET = 'upstream-client-secret-4f1c9a';
const BIND_PASSWORD = 'directory-bind-password-77ab';

describe.each(backends)('upstreams administration on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  test('added with the CLI (secret from stdin), read and changed through the API, removed with the CLI', async () => {
    const added = await runCli(kl, ['upstreams', 'add', 'acme', '--type', 'oidc', '--issuer', 'https://idp.acme.example', '--client-id', 'keyline',
      '--domains', 'acme.example,Staff.Acme.Example', '--provisioning', 'link-only', '--map-claim', 'department=department', '--trust-mfa'], `${CLIENT_SECRET}\n`);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      id: 'acme', type: 'oidc', enabled: true, settings: { issuer: 'https://idp.acme.example', clientId: 'keyline' },
      secrets: ['clientSecret'], domains: ['acme.example', 'staff.acme.example'], provisioning: 'link-only', trustMfa: true,
      mapping: { claims: { department: 'department' }, groups: [] },
    });

    const shown = await admin.expect(200, 'GET', '/upstreams/acme');
    expect(shown).toMatchObject({ id: 'acme', secrets: ['clientSecret'], domains: ['acme.example', 'staff.acme.example'] });
    const listed = await admin.expect(200, 'GET', '/upstreams');
    expect(listed.items.map((upstream: { id: string }) => upstream.id)).toEqual(['acme']);

    const updated = await admin.expect(200, 'PATCH', '/upstreams/acme', { enabled: false, domains: ['acme.example'], clientSecret: 'rotated-secret-0a9' });
    expect(updated).toMatchObject({ enabled: false, domains: ['acme.example'], secrets: ['clientSecret'] });
    // What the store holds is sealed, and the rotated secret opens only as this upstream's.
    const stored = await kl.store.upstreams.find('acme');
    expect(stored?.sealedSecrets.clientSecret).not.toContain('rotated-secret-0a9');

    const fromCli = JSON.parse((await runCli(kl, ['upstreams', 'show', 'acme'])).stdout) as Record<string, unknown>;
    expect(fromCli).toMatchObject({ enabled: false, domains: ['acme.example'] });

    const removed = await runCli(kl, ['upstreams', 'remove', 'acme', '--yes']);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    await admin.expect(404, 'GET', '/upstreams/acme');
  }, 60_000);

  test('presets fill in the provider; LDAP takes its bind password from stdin; the API creates with the secret in the body', async () => {
    const google = await runCli(kl, ['upstreams', 'add', 'google', '--preset', 'google', '--client-id', 'abc.apps.googleusercontent.com'], CLIENT_SECRET);
    expect(google.stderr).toBe('');
    expect(JSON.parse(google.stdout)).toMatchObject({
      id: 'google', type: 'oidc', preset: 'google', name: 'Google',
      settings: { issuer: 'https://accounts.google.com', buttonLabel: 'Sign in with Google', icon: 'google.svg', scopes: ['openid', 'email', 'profile'] },
    });
    const microsoft = await admin.expect(201, 'POST', '/upstreams', { id: 'entra', preset: 'microsoft', tenant: 'contoso.onmicrosoft.com', clientId: 'c1', clientSecret: CLIENT_SECRET });
    expect(microsoft.settings.issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    const github = await admin.expect(201, 'POST', '/upstreams', { id: 'github', preset: 'github', clientId: 'Iv1.abc', clientSecret: CLIENT_SECRET });
    expect(github).toMatchObject({ type: 'oauth2', settings: { userinfoEndpoint: 'https://api.github.com/user' } });

    const ldap = await runCli(kl, ['upstreams', 'add', 'corp', '--type', 'ldap', '--url', 'ldaps://ldap.corp.example', '--bind-dn', 'cn=keyline,dc=corp',
      '--user-search-base', 'ou=people,dc=corp', '--user-filter', '(mail={email})', '--domains', 'corp.example'], BIND_PASSWORD);
    expect(ldap.stderr).toBe('');
    expect(JSON.parse(ldap.stdout)).toMatchObject({ type: 'ldap', secrets: ['bindPassword'], settings: { url: 'ldaps://ldap.corp.example' } });

    const list = await runCli(kl, ['upstreams', 'list']);
    expect(list.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0])).toEqual(['corp', 'entra', 'github', 'google']);
  }, 60_000);

  test('a client names the upstreams its login page offers, and can be upstream-only (CLI and API)', async () => {
    const added = await runCli(kl, ['clients', 'add', '--name', 'Staff app', '--redirect-uri', 'http://127.0.0.1:9/cb', '--upstreams', 'github,corp', '--no-local-login']);
    expect(added.stderr).toBe('');
    const client = JSON.parse(added.stdout) as Record<string, unknown> & { client_id: string };
    expect(client).toMatchObject({ keyline_upstreams: ['github', 'corp'], keyline_no_local_login: true });
    expect(await admin.expect(200, 'GET', `/clients/${client.client_id}`)).toMatchObject({ upstreams: ['github', 'corp'], noLocalLogin: true });

    // A typo (or a removed upstream) is named, not stored: the login page would offer nothing for it.
    const typo = await admin.call('PATCH', `/clients/${client.client_id}`, { upstreams: ['githb'] });
    expect(typo.status).toBe(422);
    expect(JSON.stringify(typo.body)).toContain('githb');
    const typoCli = await runCli(kl, ['clients', 'update', client.client_id, '--upstreams', 'acme']);
    expect(typoCli.code).toBe(1);
    expect(typoCli.stderr).toContain('there is no upstream "acme"');
    expect((await kl.store.clients.find(client.client_id))?.metadata.keyline_upstreams).toEqual(['github', 'corp']);

    // Upstream-only with no upstream named would lock everyone out: refused, by the API and the CLI.
    const refused = await admin.call('PATCH', `/clients/${client.client_id}`, { upstreams: [] });
    expect(refused.status).toBe(422);
    expect((await runCli(kl, ['clients', 'add', '--name', 'Nobody', '--redirect-uri', 'http://127.0.0.1:9/cb', '--no-local-login'])).code).toBe(1);

    expect((await runCli(kl, ['clients', 'update', client.client_id, '--local-login', '--upstreams', ''])).code).toBe(0);
    const after = await admin.expect(200, 'GET', `/clients/${client.client_id}`);
    expect(after.upstreams).toBeUndefined();
    expect(after.noLocalLogin).toBeUndefined();
    await admin.expect(200, 'PATCH', `/clients/${client.client_id}`, { upstreams: ['google'] });
    expect((await kl.store.clients.find(client.client_id))?.metadata.keyline_upstreams).toEqual(['google']);
  }, 60_000);
});

import { AdminSession } from '../support/admin-api.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Keyline sends an upstream its client secret and trusts what its endpoints answer about who a
 * person is; an LDAP upstream receives people's passwords. Over plain http or plain ldap anyone on
 * the path reads the secrets and forges the answers. Only https (ldaps://, or StartTLS) is taken,
 * except to loopback, and never a URL with another scheme or credentials in it.
 */
describe('upstream URLs must be https', () => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(sqliteBackend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const base = { type: 'oidc', clientId: 'k', clientSecret: 's' };

  test.each([
    ['http://idp.example', 'issuer'],
    ['javascript:alert(1)', 'issuer'],
    ['https://user:pass@idp.example', 'issuer'],
    ['ftp://idp.example', 'issuer'],
  ])('issuer %s is refused (422, naming the setting), and nothing is stored', async (issuer, field) => {
    const answer = await admin.call('POST', '/upstreams', { ...base, id: 'bad', issuer });
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body.errors)).toContain(field);
    expect(await kl.store.upstreams.find('bad')).toBeUndefined();
  });

  test('an oauth2 endpoint over plain http is refused, on create and on update', async () => {
    const endpoints = { authorizationEndpoint: 'https://o.example/a', tokenEndpoint: 'http://o.example/t', userinfoEndpoint: 'https://o.example/u' };
    expect((await admin.call('POST', '/upstreams', { ...base, id: 'o', type: 'oauth2', ...endpoints })).status).toBe(422);
    await admin.expect(201, 'POST', '/upstreams', { ...base, id: 'o', type: 'oauth2', ...endpoints, tokenEndpoint: 'https://o.example/t' });
    expect((await admin.call('PATCH', '/upstreams/o', { userinfoEndpoint: 'http://o.example/u' })).status).toBe(422);
    expect((await kl.store.upstreams.find('o'))?.settings.userinfoEndpoint).toBe('https://o.example/u');
  });

  test('plain http to loopback is allowed (an upstream started on this machine)', async () => {
    await admin.expect(201, 'POST', '/upstreams', { ...base, id: 'local', issuer: 'http://127.0.0.1:9/' });
  });

  test('LDAP: plain ldap:// off loopback needs StartTLS; the CLI refuses the same', async () => {
    const ldap = { id: 'dir', type: 'ldap', userSearchBase: 'dc=x', userFilter: '(uid={username})' };
    expect((await admin.call('POST', '/upstreams', { ...ldap, url: 'ldap://ldap.example' })).status).toBe(422);
    expect((await admin.call('POST', '/upstreams', { ...ldap, url: 'http://ldap.example' })).status).toBe(422);
    await admin.expect(201, 'POST', '/upstreams', { ...ldap, url: 'ldap://ldap.example', startTls: true });
    const cli = await runCli(kl, ['upstreams', 'add', 'cli', '--type', 'oidc', '--issuer', 'http://idp.example', '--client-id', 'k'], 's');
    // A usage error (exit 2): the option itself is wrong, before anything is read or stored.
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--issuer: .*not an https URL/);
    expect(await kl.store.upstreams.find('cli')).toBeUndefined();
  }, 30_000);
});

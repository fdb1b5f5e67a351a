import { AdminSession } from '../support/admin-api.ts';
import { sqliteBackend } from '../support/backends.ts';
import { runCli } from '../support/run-cli.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Links are keyed by (upstream id, subject). Pointing an upstream people are linked through at
 * another issuer, user endpoint, subject claim or directory would let the new provider's `sub`
 * "1234" sign in as whoever the old provider's "1234" was. Such a change is refused while anyone is
 * linked, unless the administrator says the subjects stay the same (the provider only moved).
 * (From the attacker review of the redirect upstreams.)
 */
describe('a new issuer cannot inherit the people linked through an upstream', () => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(sqliteBackend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const link = (upstreamId: string) => kl.store.federatedIdentities.link({
    upstreamId, subject: '1234', accountId: 'account-of-1234', linkedAt: new Date(), lastSignInAt: null,
  });

  test('with people linked: refused, naming the setting; nothing changes', async () => {
    await admin.expect(201, 'POST', '/upstreams', { id: 'acme', type: 'oidc', issuer: 'https://idp.acme.example', clientId: 'k', clientSecret: 's' });
    await link('acme');
    for (const change of [{ issuer: 'https://evil.example' }, { subjectClaim: 'email' }]) {
      const refused = await admin.call('PATCH', '/upstreams/acme', change);
      expect(refused.status).toBe(422);
      expect((refused.body as { detail: string }).detail).toContain('people are linked through "acme"');
    }
    const cli = await runCli(kl, ['upstreams', 'update', 'acme', '--issuer', 'https://evil.example']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('--keep-links');
    const stored = await kl.store.upstreams.find('acme');
    expect(stored?.settings.issuer).toBe('https://idp.acme.example');
    expect(stored?.settings.subjectClaim).toBeUndefined();
  }, 60_000);

  test('other changes, an upstream nobody is linked through, and --keep-links go through', async () => {
    await admin.expect(200, 'PATCH', '/upstreams/acme', { name: 'Acme staff' });
    const moved = await runCli(kl, ['upstreams', 'update', 'acme', '--issuer', 'https://login.acme.example', '--keep-links']);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect((await kl.store.upstreams.find('acme'))?.settings.issuer).toBe('https://login.acme.example');
    expect(await kl.store.federatedIdentities.find('acme', '1234')).toBeDefined();

    await admin.expect(201, 'POST', '/upstreams', { id: 'fresh', type: 'oauth2', authorizationEndpoint: 'https://a.example/authorize', tokenEndpoint: 'https://a.example/token', userinfoEndpoint: 'https://a.example/user', clientId: 'k', clientSecret: 's' });
    await admin.expect(200, 'PATCH', '/upstreams/fresh', { userinfoEndpoint: 'https://b.example/user' });
    await link('fresh');
    expect((await admin.call('PATCH', '/upstreams/fresh', { userinfoEndpoint: 'https://c.example/user' })).status).toBe(422);
    await admin.expect(200, 'PATCH', '/upstreams/fresh', { userinfoEndpoint: 'https://c.example/user', keepLinks: true });
  }, 60_000);
});

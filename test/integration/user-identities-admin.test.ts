/** Administrators see a user's linked identities and remove one (even the last way in), audited; a removed user's links go with them. */
import { AdminSession } from '../support/admin-api.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity } from '../support/linked-account.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
let admin: AdminSession;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
  admin = await AdminSession.open(fixture.kl);
});

test('list, then remove a link whose subject holds a slash and commas; an unknown one is a 404 and is recorded as failed', async () => {
  const user = await createTestUser(f.kl);
  const subject = 'cn=Ada Lovelace,ou=people/eng,dc=acme';
  await linkIdentity(f.kl, user.id, 'acme', subject);
  const listed = await admin.expect(200, 'GET', `/users/${user.id}/identities`);
  expect(listed.identities).toEqual([{ upstreamId: 'acme', upstream: 'Acme SSO', subject, linkedAt: expect.any(String), lastSignInAt: null }]);
  expect((await admin.expect(200, 'GET', `/users/${user.id}`)).signInByEmail).toBe(true);

  await admin.expect(204, 'DELETE', `/users/${user.id}/identities/acme/${encodeURIComponent(subject)}`);
  expect(await f.kl.store.federatedIdentities.listByAccount(user.id)).toEqual([]);
  await admin.expect(404, 'DELETE', `/users/${user.id}/identities/acme/${encodeURIComponent(subject)}`);
  const events = await f.kl.store.audit.query({ limit: 50 });
  expect(events.filter((event) => event.type.startsWith('federation.unlinked')).map((event) => event.type).sort())
    .toEqual(['federation.unlinked', 'federation.unlinked', 'federation.unlinked.failed']); // the trail's rule: the change first, then what became of it
  await admin.expect(404, 'GET', '/users/no-such-user/identities');
});

test('removing a user removes their links', async () => {
  const user = await createTestUser(f.kl);
  await linkIdentity(f.kl, user.id, 'acme', 'to-be-removed');
  await admin.expect(200, 'DELETE', `/users/${user.id}`);
  expect(await f.kl.store.federatedIdentities.find('acme', 'to-be-removed')).toBeUndefined();
});

test('the CLI lists a user\'s identities and unlinks one, audited as the operator', async () => {
  const user = await createTestUser(f.kl);
  await linkIdentity(f.kl, user.id, 'acme', 'cli-subject');
  const listed = await runCli(f.kl, ['users', 'identities', user.email]);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^acme\tcli-subject\tlinked \S+\tlast used never$/m);
  const unknown = await runCli(f.kl, ['users', 'unlink', user.email, 'acme', 'someone-else']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('has no identity someone-else at acme');
  const unlinked = await runCli(f.kl, ['users', 'unlink', user.email, 'acme', 'cli-subject']);
  expect(unlinked.code).toBe(0);
  expect(await f.kl.store.federatedIdentities.find('acme', 'cli-subject')).toBeUndefined();
  const events = await f.kl.store.audit.query({ type: 'federation.unlinked', limit: 50 });
  expect(events.some((event) => event.actor.startsWith('cli:') && event.data?.subject === 'cli-subject')).toBe(true);
});

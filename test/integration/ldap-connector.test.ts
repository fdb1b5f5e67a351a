import { readFileSync } from 'node:fs';
import { LdapConnector } from '../../src/federation/connectors/ldap.ts';
import { sealUpstreamSecret } from '../../src/federation/upstream-secrets.ts';
import { UpstreamError } from '../../src/federation/upstream.ts';
import { SecretCipher } from '../../src/keys/secret-cipher.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';
import { startSlapd, type TestDirectory } from '../support/slapd.ts';

/**
 * The LDAP connector against Debian's real slapd: the search with the service account, the bind
 * as the one entry found, the groups, the subject, and the transport (StartTLS with a certificate
 * that must verify). The HTTP flow through Keyline is in test/e2e/ldap-sign-in.test.ts.
 */
const cipher = new SecretCipher(['ldap-connector-test-key-0123456789abcdef']);

function upstreamFor(directory: TestDirectory, settings: Record<string, unknown> = {}): UpstreamRecord {
  const now = new Date();
  return {
    id: 'acme', name: 'Acme', type: 'ldap', enabled: true, preset: null,
    settings: {
      url: directory.url, bindDn: directory.serviceDn, userSearchBase: directory.peopleBase, userFilter: '(|(mail={email})(uid={username}))',
      groupSearchBase: directory.groupsBase, groupFilter: '(member={dn})', ...settings,
    },
    sealedSecrets: { bindPassword: sealUpstreamSecret(cipher, 'acme', 'bindPassword', directory.servicePassword) },
    domains: [], provisioning: 'create', sync: 'always', trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false,
    createdAt: now, updatedAt: now,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return error.failure;
  }
}

describe('the LDAP connector with a real slapd', () => {
  let directory: TestDirectory;
  const connector = new LdapConnector({ sealer: cipher });
  beforeAll(async () => {
    directory = await startSlapd({
      people: [
        { uid: 'alice', cn: 'Alice Example', mail: 'alice@acme.test', password: 'alice-secret', hashed: true },
        { uid: 'bob', cn: 'Bob Example', mail: 'bob@acme.test', password: 'bob-secret' },
      ],
      groups: [{ cn: 'admins', members: ['alice'] }, { cn: 'staff', members: ['alice', 'bob'] }],
      startTls: true,
    });
  });
  afterAll(() => directory?.remove());

  test('a person found by address or user name signs in with an {SSHA} or cleartext password; subject is the entryUUID', async () => {
    const upstream = upstreamFor(directory);
    const alice = await connector.finish(upstream, { kind: 'password', username: 'alice@acme.test', password: 'alice-secret', pending: {} });
    expect(alice.subject).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(alice.email).toBe('alice@acme.test');
    expect(alice.emailVerified).toBe(false);
    expect(alice.claims.groups).toEqual(expect.arrayContaining(['admins', 'staff']));
    expect(alice.claims.memberOf).toEqual(expect.arrayContaining([directory.groupDnOf('admins'), directory.groupDnOf('staff')]));
    expect(alice.claims).not.toHaveProperty('userPassword');
    const again = await connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} });
    expect(again.subject).toBe(alice.subject);
    const bob = await connector.finish(upstream, { kind: 'password', username: 'bob', password: 'bob-secret', pending: {} });
    expect(bob.claims.groups).toEqual(['staff']);
    expect(directory.operations().some((line) => line.includes(`BIND dn="${directory.dnOf('alice')}" method=128`))).toBe(true);
    expect(connector.map({ ...upstream, mapping: { claims: { cn: 'name' }, groups: [{ claim: 'groups', value: 'admins', group: 'ops' }] } }, alice))
      .toEqual({ profile: { name: 'Alice Example' }, attributes: {}, groups: ['ops'] });
  });

  test('the operator decides whether the directory vouches for its mail', async () => {
    const identity = await connector.finish(upstreamFor(directory, { emailVerified: true }), { kind: 'password', username: 'bob', password: 'bob-secret', pending: {} });
    expect(identity.emailVerified).toBe(true);
  });

  test('a wrong password and an unknown person get the same failure', async () => {
    const upstream = upstreamFor(directory);
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'wrong', pending: {} }))).toBe('invalid_credentials');
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'nobody', password: 'wrong', pending: {} }))).toBe('invalid_credentials');
  });

  test('a filter that matches two people signs in neither', async () => {
    const upstream = upstreamFor(directory, { userFilter: '(|(uid={username})(objectClass=inetOrgPerson))' });
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} }))).toBe('invalid_credentials');
  });

  test('a wrong service password is the directory being unavailable, not the person\'s fault', async () => {
    const upstream = { ...upstreamFor(directory), sealedSecrets: { bindPassword: sealUpstreamSecret(cipher, 'acme', 'bindPassword', 'not-it') } };
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} }))).toBe('unreachable');
  });

  test('StartTLS: with the directory\'s certificate trusted it signs in; an untrusted certificate is refused', async () => {
    const upstream = upstreamFor(directory, { startTls: true });
    const trusting = new LdapConnector({ sealer: cipher, tlsOptions: { ca: readFileSync(directory.certificate!.certFile) } });
    const identity = await trusting.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} });
    expect(identity.email).toBe('alice@acme.test');
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} }))).toBe('unreachable');
  });

  test('plain ldap:// off loopback is refused before connecting', async () => {
    const upstream = upstreamFor(directory, { url: 'ldap://directory.example:389' });
    expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} }))).toBe('misconfigured');
  });

  test('a stopped directory is unreachable, and reachable again once it is back', async () => {
    const upstream = upstreamFor(directory);
    await directory.stop();
    try {
      expect(await failureOf(connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} }))).toBe('unreachable');
    } finally {
      await directory.start();
    }
    expect((await connector.finish(upstream, { kind: 'password', username: 'alice', password: 'alice-secret', pending: {} })).email).toBe('alice@acme.test');
  });
});

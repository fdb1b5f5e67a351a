/**
 * Storage contract, upstream identity providers and the identities linked through them (issue 22):
 * every backend must pass this file unchanged.
 */
import { DuplicateError, NotFoundError } from '../../src/store/store-errors.ts';
import type { FederatedIdentityRecord, UpstreamRecord } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

const CREATED = new Date('2026-03-04T05:06:07.089Z');

function upstream(overrides: Partial<UpstreamRecord> = {}): UpstreamRecord {
  return {
    id: 'acme',
    name: 'Acme staff',
    type: 'oidc',
    enabled: true,
    preset: null,
    settings: { issuer: 'https://idp.acme.example', clientId: 'keyline', scopes: ['openid', 'email'] },
    sealedSecrets: { clientSecret: 'v1.sealed-text' },
    domains: ['acme.example', 'staff.acme.example'],
    provisioning: 'create',
    sync: 'always',
    trustMfa: false,
    // Claim names are often URLs: a backend must keep keys with dots and dollars.
    mapping: { claims: { 'https://acme.example/dept': 'department', $weird: 'nickname' }, groups: [{ claim: 'groups', value: 'eng', group: 'engineers' }] },
    upstreamLogout: false,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

/** What a lookup with an id that is not a string gives: nothing, or a refusal (SQLite binds no objects); never a match. */
async function nothingOrRefused(lookup: Promise<unknown>): Promise<unknown> {
  try {
    return await lookup;
  } catch {
    return 'refused';
  }
}

function link(overrides: Partial<FederatedIdentityRecord> = {}): FederatedIdentityRecord {
  return { upstreamId: 'acme', subject: 'sub-1', accountId: 'acc-1', linkedAt: CREATED, lastSignInAt: null, ...overrides };
}

describe.each(backends)('$name store: upstreams', (backend) => {
  const store = useFreshStore(backend);

  test('find returns nothing before create, then exactly what was created, also by each of its domains', async () => {
    expect(await store().upstreams.find('acme')).toBeUndefined();
    expect(await store().upstreams.findByDomain('acme.example')).toBeUndefined();
    await store().upstreams.create(upstream());
    expect(await store().upstreams.find('acme')).toStrictEqual(upstream());
    expect(await store().upstreams.findByDomain('staff.acme.example')).toStrictEqual(upstream());
    expect(await store().upstreams.findByDomain('other.example')).toBeUndefined();
    expect(await store().upstreams.list()).toStrictEqual([upstream()]);
  });

  test('an id or a domain another upstream has is refused, and the refused one leaves nothing behind', async () => {
    await store().upstreams.create(upstream());
    await expect(store().upstreams.create(upstream({ domains: ['fresh.example'] }))).rejects.toBeInstanceOf(DuplicateError);
    await expect(store().upstreams.create(upstream({ id: 'rival', domains: ['rival.example', 'acme.example'] }))).rejects.toBeInstanceOf(DuplicateError);
    expect(await store().upstreams.find('rival')).toBeUndefined();
    // The refused creations took no domain: both can be claimed now.
    await store().upstreams.create(upstream({ id: 'other', domains: ['fresh.example', 'rival.example'] }));
    expect((await store().upstreams.findByDomain('rival.example'))?.id).toBe('other');
    expect((await store().upstreams.findByDomain('acme.example'))?.id).toBe('acme');
  });

  test('update changes only what the patch gives, moves its domains, and keeps id, type and creation time', async () => {
    await store().upstreams.create(upstream());
    const updated = await store().upstreams.update('acme', { name: 'Acme', enabled: false, domains: ['acme.example', 'new.example'], trustMfa: true });
    expect(updated).toMatchObject({ id: 'acme', type: 'oidc', name: 'Acme', enabled: false, trustMfa: true, domains: ['acme.example', 'new.example'], createdAt: CREATED });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(CREATED.getTime());
    expect(await store().upstreams.find('acme')).toStrictEqual(updated);
    expect(await store().upstreams.findByDomain('staff.acme.example')).toBeUndefined();
    expect((await store().upstreams.findByDomain('new.example'))?.id).toBe('acme');
  });

  test('an update cannot take another upstream\'s domain, and changes nothing when refused', async () => {
    await store().upstreams.create(upstream());
    await store().upstreams.create(upstream({ id: 'other', domains: ['other.example'] }));
    await expect(store().upstreams.update('other', { name: 'Renamed', domains: ['other.example', 'acme.example'] })).rejects.toBeInstanceOf(DuplicateError);
    expect(await store().upstreams.find('other')).toMatchObject({ name: 'Acme staff', domains: ['other.example'] });
    expect((await store().upstreams.findByDomain('acme.example'))?.id).toBe('acme');
  });

  test('sealed secrets are replaced only while they are what the re-sealer read', async () => {
    await store().upstreams.create(upstream());
    const before = await store().upstreams.revision();
    expect(await store().upstreams.replaceSealedSecrets('acme', { clientSecret: 'v1.other' }, { clientSecret: 'v2.x' })).toBe(false);
    expect(await store().upstreams.replaceSealedSecrets('acme', { clientSecret: 'v1.sealed-text' }, { clientSecret: 'v2.resealed' })).toBe(true);
    expect((await store().upstreams.find('acme'))?.sealedSecrets).toStrictEqual({ clientSecret: 'v2.resealed' });
    expect(await store().upstreams.revision()).not.toBe(before);
    expect(await store().upstreams.replaceSealedSecrets('nobody', {}, { clientSecret: 'x' })).toBe(false);
  });

  test('update and remove of an unknown upstream', async () => {
    await expect(store().upstreams.update('nobody', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await store().upstreams.remove('nobody')).toBe(false);
  });

  test('remove forgets the upstream and frees its domains', async () => {
    await store().upstreams.create(upstream());
    expect(await store().upstreams.remove('acme')).toBe(true);
    expect(await store().upstreams.find('acme')).toBeUndefined();
    expect(await store().upstreams.findByDomain('acme.example')).toBeUndefined();
    await store().upstreams.create(upstream({ id: 'next' }));
    expect((await store().upstreams.findByDomain('acme.example'))?.id).toBe('next');
  });

  test('every create, update and remove changes the revision (running nodes see it)', async () => {
    const seen = [await store().upstreams.revision()];
    await store().upstreams.create(upstream());
    seen.push(await store().upstreams.revision());
    await store().upstreams.update('acme', { name: 'Renamed' });
    seen.push(await store().upstreams.revision());
    await store().upstreams.remove('acme');
    seen.push(await store().upstreams.revision());
    expect(new Set(seen).size).toBe(4);
  });

  test('an id that arrives as a query object names nothing', async () => {
    await store().upstreams.create(upstream());
    const operator = { $ne: 'x' } as unknown as string;
    expect([undefined, 'refused']).toContain(await nothingOrRefused(store().upstreams.find(operator)));
    expect([undefined, 'refused']).toContain(await nothingOrRefused(store().upstreams.findByDomain(operator)));
    expect([false, 'refused']).toContain(await nothingOrRefused(store().upstreams.remove(operator)));
    expect(await store().upstreams.find('acme')).toBeDefined();
  });
});

describe.each(backends)('$name store: federated identities', (backend) => {
  const store = useFreshStore(backend);

  test('a link is created once; linking again returns the first link, whatever account it names', async () => {
    expect(await store().federatedIdentities.link(link())).toStrictEqual({ identity: link(), created: true });
    expect(await store().federatedIdentities.link(link({ accountId: 'acc-2' }))).toStrictEqual({ identity: link(), created: false });
    expect(await store().federatedIdentities.find('acme', 'sub-1')).toStrictEqual(link());
    expect(await store().federatedIdentities.find('acme', 'sub-2')).toBeUndefined();
  });

  test('50 concurrent links of one (upstream, subject) give exactly one record, which every caller gets back', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => store().federatedIdentities.link(link({ accountId: `acc-${index}` }))));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const winner = results.find((result) => result.created)!.identity.accountId;
    expect(new Set(results.map((result) => result.identity.accountId))).toStrictEqual(new Set([winner]));
    expect(await store().federatedIdentities.listByAccount(winner)).toHaveLength(1);
  });

  test('list by account, oldest first; the same subject at another upstream is another identity', async () => {
    await store().federatedIdentities.link(link({ upstreamId: 'other', linkedAt: new Date(CREATED.getTime() + 1000) }));
    await store().federatedIdentities.link(link());
    await store().federatedIdentities.link(link({ subject: 'sub-9', accountId: 'acc-9' }));
    expect((await store().federatedIdentities.listByAccount('acc-1')).map((identity) => identity.upstreamId)).toStrictEqual(['acme', 'other']);
  });

  test('recordSignIn, remove, removeAccount and removeUpstream', async () => {
    await store().federatedIdentities.link(link());
    await store().federatedIdentities.link(link({ subject: 'sub-2' }));
    await store().federatedIdentities.link(link({ upstreamId: 'other', subject: 'sub-3', accountId: 'acc-3' }));
    const at = new Date('2026-05-06T07:08:09.010Z');
    expect(await store().federatedIdentities.recordSignIn('acme', 'sub-1', at)).toBe(true);
    expect(await store().federatedIdentities.recordSignIn('acme', 'nobody', at)).toBe(false);
    expect((await store().federatedIdentities.find('acme', 'sub-1'))?.lastSignInAt).toStrictEqual(at);
    expect(await store().federatedIdentities.remove('acme', 'sub-2')).toBe(true);
    expect(await store().federatedIdentities.remove('acme', 'sub-2')).toBe(false);
    expect(await store().federatedIdentities.anyForUpstream('other')).toBe(true);
    expect(await store().federatedIdentities.removeUpstream('other')).toBe(1);
    expect(await store().federatedIdentities.anyForUpstream('other')).toBe(false);
    expect(await store().federatedIdentities.anyForUpstream('acme')).toBe(true);
    expect(await store().federatedIdentities.removeAccount('acc-1')).toBe(1);
    expect(await store().federatedIdentities.anyForUpstream('acme')).toBe(false);
    expect(await store().federatedIdentities.listByAccount('acc-1')).toStrictEqual([]);
  });

  test('ids that arrive as query objects name nothing', async () => {
    await store().federatedIdentities.link(link());
    const operator = { $ne: 'x' } as unknown as string;
    expect([undefined, 'refused']).toContain(await nothingOrRefused(store().federatedIdentities.find(operator, operator)));
    expect([false, 'refused']).toContain(await nothingOrRefused(store().federatedIdentities.anyForUpstream(operator)));
    expect([0, 'refused']).toContain(await nothingOrRefused(store().federatedIdentities.listByAccount(operator).then((found) => found.length)));
    expect([0, 'refused']).toContain(await nothingOrRefused(store().federatedIdentities.removeAccount(operator)));
    expect([0, 'refused']).toContain(await nothingOrRefused(store().federatedIdentities.removeUpstream(operator)));
    expect(await store().federatedIdentities.find('acme', 'sub-1')).toBeDefined();
  });
});

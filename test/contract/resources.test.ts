/**
 * Storage contract, API resources: every backend must pass this file unchanged.
 */
import { DuplicateError, NotFoundError } from '../../src/store/store-errors.ts';
import type { ResourceRecord } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

function resource(overrides: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    indicator: 'https://api.example.com/v1',
    name: 'Orders API',
    scopes: ['orders:read', 'orders:write'],
    signingAlg: 'ES256',
    accessTokenTtl: 600,
    createdAt: new Date('2026-03-04T05:06:07.089Z'),
    updatedAt: new Date('2026-03-04T05:06:07.089Z'),
    ...overrides,
  };
}

describe.each(backends)('$name store: resources', (backend) => {
  const store = useFreshStore(backend);

  test('find returns nothing before create, then exactly what was created', async () => {
    expect(await store().resources.find('https://api.example.com/v1')).toBeUndefined();
    await store().resources.create(resource());
    expect(await store().resources.find('https://api.example.com/v1')).toStrictEqual(resource());
  });

  test('a resource without a name, scopes or lifetime keeps them empty', async () => {
    const bare = resource({ indicator: 'urn:example:bare', name: null, scopes: [], accessTokenTtl: null, signingAlg: 'RS256' });
    await store().resources.create(bare);
    expect(await store().resources.find('urn:example:bare')).toStrictEqual(bare);
  });

  test('a resource keeps the URL of its protected-resource metadata (RFC 9728) when it has one', async () => {
    const described = resource({ indicator: 'https://described.example.com', metadataUri: 'https://described.example.com/.well-known/oauth-protected-resource' });
    await store().resources.create(described);
    expect(await store().resources.find('https://described.example.com')).toStrictEqual(described);
    expect((await store().resources.list()).find((entry) => entry.indicator === 'https://described.example.com')).toStrictEqual(described);
  });

  test('RBAC round-trips: on when created with it, off through an update, and a resource without it has no key', async () => {
    await store().resources.create(resource({ rbac: true }));
    expect(await store().resources.find('https://api.example.com/v1')).toStrictEqual(resource({ rbac: true }));
    expect((await store().resources.list())[0]).toStrictEqual(resource({ rbac: true }));
    const renamed = await store().resources.update('https://api.example.com/v1', { name: 'Orders' });
    expect(renamed.rbac).toBe(true);
    const off = await store().resources.update('https://api.example.com/v1', { rbac: false });
    expect(off).not.toHaveProperty('rbac');
    expect(await store().resources.find('https://api.example.com/v1')).toStrictEqual(off);
    const on = await store().resources.update('https://api.example.com/v1', { rbac: true });
    expect(await store().resources.find('https://api.example.com/v1')).toStrictEqual(on);
    await store().resources.create(resource({ indicator: 'https://plain.example.com', rbac: false }));
    expect(await store().resources.find('https://plain.example.com')).not.toHaveProperty('rbac');
  });

  test('creating an indicator that exists throws DuplicateError and keeps the first', async () => {
    await store().resources.create(resource());
    await expect(store().resources.create(resource({ name: 'Other' }))).rejects.toBeInstanceOf(DuplicateError);
    await expect(store().resources.create(resource({ name: 'Other' }))).rejects.toMatchObject({ entity: 'resource', field: 'indicator' });
    expect((await store().resources.find('https://api.example.com/v1'))?.name).toBe('Orders API');
  });

  test('list returns every resource ordered by indicator', async () => {
    await store().resources.create(resource({ indicator: 'https://b.example.com' }));
    await store().resources.create(resource({ indicator: 'https://a.example.com' }));
    expect((await store().resources.list()).map((entry) => entry.indicator)).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  test('update changes only the given fields, moves updatedAt and bumps the revision', async () => {
    await store().resources.create(resource());
    const revision = await store().resources.revision();
    const updated = await store().resources.update('https://api.example.com/v1', { scopes: ['orders:read'], accessTokenTtl: null, name: undefined });
    expect(updated).toMatchObject({ name: 'Orders API', scopes: ['orders:read'], signingAlg: 'ES256', accessTokenTtl: null, createdAt: resource().createdAt });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(resource().updatedAt.getTime());
    expect(await store().resources.find('https://api.example.com/v1')).toStrictEqual(updated);
    expect(await store().resources.revision()).not.toBe(revision);
  });

  test('update of a resource that does not exist throws NotFoundError and creates nothing', async () => {
    await expect(store().resources.update('https://ghost.example.com', { name: 'Ghost' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await store().resources.find('https://ghost.example.com')).toBeUndefined();
  });

  test('remove deletes one resource and says whether there was one', async () => {
    await store().resources.create(resource());
    await store().resources.create(resource({ indicator: 'https://keep.example.com' }));
    expect(await store().resources.remove('https://api.example.com/v1')).toBe(true);
    expect(await store().resources.remove('https://api.example.com/v1')).toBe(false);
    expect(await store().resources.find('https://api.example.com/v1')).toBeUndefined();
    expect(await store().resources.find('https://keep.example.com')).toBeDefined();
  });

  test('the revision changes with every create and remove, and not otherwise', async () => {
    const start = await store().resources.revision();
    await store().resources.create(resource());
    const afterCreate = await store().resources.revision();
    expect(afterCreate).not.toBe(start);
    await store().resources.find('https://api.example.com/v1');
    await store().resources.remove('https://nothing.example.com');
    expect(await store().resources.revision()).toBe(afterCreate);
    await store().resources.remove('https://api.example.com/v1');
    expect(await store().resources.revision()).not.toBe(afterCreate);
  });

  test('the resources revision is apart from the clients revision', async () => {
    const clients = await store().clients.revision();
    await store().resources.create(resource());
    expect(await store().clients.revision()).toBe(clients);
  });
});

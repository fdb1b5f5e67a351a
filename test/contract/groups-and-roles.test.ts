/**
 * Storage contract, groups with their members and roles with their grants (issue 20): every
 * backend must pass this file unchanged.
 */
import { openStore } from '../../src/store/open-store.ts';
import { DuplicateError, NotFoundError } from '../../src/store/store-errors.ts';
import type {
  GroupRecord, RoleGrant, RoleHolder, RoleRecord, Store,
} from '../../src/store/store.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
const storeBackends = await allBackends();
afterAll(stopMongoTestServer);

const T0 = new Date('2026-05-06T07:08:09.010Z');

function group(overrides: Partial<GroupRecord> = {}): GroupRecord {
  return {
    id: 'grp_engineering0000000000',
    name: 'engineering',
    parentId: null,
    description: 'Everyone who builds things',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function role(overrides: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id: 'rol_orderswriter000000000',
    name: 'orders.writer',
    resource: 'https://api.example.com/orders',
    permissions: ['orders:read', 'orders:write'],
    description: 'May change orders',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

const ada: RoleHolder = { kind: 'user', id: 'account-ada' };
const ops: RoleHolder = { kind: 'group', id: 'grp_ops' };
const batch: RoleHolder = { kind: 'client', id: 'batch-client' };

/** Grants without their timestamps, in a fixed order, for comparing. */
function grantPairs(grants: RoleGrant[]): string[] {
  return grants.map((entry) => `${entry.roleId} ${entry.holder.kind}:${entry.holder.id}`).sort();
}

describe.each(backends)('$name store: groups and roles', (backend) => {
  const store = useFreshStore(backend);

  describe('groups', () => {
    test('find and findByName return nothing before create, then exactly what was created', async () => {
      expect(await store().groups.find(group().id)).toBeUndefined();
      expect(await store().groups.findByName('engineering')).toBeUndefined();
      await store().groups.create(group());
      expect(await store().groups.find(group().id)).toStrictEqual(group());
      expect(await store().groups.findByName('engineering')).toStrictEqual(group());
    });

    test('a group with a parent and without a description round-trips', async () => {
      const child = group({ id: 'grp_backend', name: 'backend', parentId: group().id, description: null });
      await store().groups.create(group());
      await store().groups.create(child);
      expect(await store().groups.find('grp_backend')).toStrictEqual(child);
    });

    test('a name already taken throws DuplicateError naming the name, and keeps the first', async () => {
      await store().groups.create(group());
      const error = await store().groups.create(group({ id: 'grp_other', description: 'Other' })).catch((error: unknown) => error);
      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'group', field: 'name' });
      expect(await store().groups.find('grp_other')).toBeUndefined();
      expect(await store().groups.findByName('engineering')).toStrictEqual(group());
    });

    test('findMany returns the groups that exist among the ids; list returns every group by name', async () => {
      await store().groups.create(group({ id: 'grp_c', name: 'charlie' }));
      await store().groups.create(group({ id: 'grp_a', name: 'alpha' }));
      await store().groups.create(group({ id: 'grp_b', name: 'bravo' }));
      const found = await store().groups.findMany(['grp_b', 'grp_missing', 'grp_c']);
      expect(found.map((entry) => entry.id).sort()).toEqual(['grp_b', 'grp_c']);
      expect(found.find((entry) => entry.id === 'grp_b')).toStrictEqual(group({ id: 'grp_b', name: 'bravo' }));
      expect(await store().groups.findMany([])).toEqual([]);
      expect((await store().groups.list()).map((entry) => entry.name)).toEqual(['alpha', 'bravo', 'charlie']);
    });

    test('children returns the direct children of a group only, by name', async () => {
      await store().groups.create(group({ id: 'grp_root', name: 'root' }));
      await store().groups.create(group({ id: 'grp_z', name: 'zulu', parentId: 'grp_root' }));
      await store().groups.create(group({ id: 'grp_y', name: 'yankee', parentId: 'grp_root' }));
      await store().groups.create(group({ id: 'grp_grandchild', name: 'grandchild', parentId: 'grp_z' }));
      await store().groups.create(group({ id: 'grp_other', name: 'other' }));
      expect((await store().groups.children('grp_root')).map((entry) => entry.name)).toEqual(['yankee', 'zulu']);
      expect((await store().groups.children('grp_z')).map((entry) => entry.id)).toEqual(['grp_grandchild']);
      expect(await store().groups.children('grp_other')).toEqual([]);
    });

    test('update renames, moves and describes only what the patch gives, and moves updatedAt', async () => {
      await store().groups.create(group());
      await store().groups.create(group({ id: 'grp_parent', name: 'parent' }));
      const renamed = await store().groups.update(group().id, { name: 'builders', description: undefined });
      expect(renamed).toMatchObject({ name: 'builders', parentId: null, description: group().description, createdAt: T0 });
      expect(renamed.updatedAt.getTime()).toBeGreaterThan(T0.getTime());
      expect(await store().groups.find(group().id)).toStrictEqual(renamed);
      expect(await store().groups.findByName('engineering')).toBeUndefined();

      const moved = await store().groups.update(group().id, { parentId: 'grp_parent', description: null });
      expect(moved).toMatchObject({ name: 'builders', parentId: 'grp_parent', description: null });
      expect(await store().groups.find(group().id)).toStrictEqual(moved);
      const toTop = await store().groups.update(group().id, { parentId: null });
      expect(toTop.parentId).toBeNull();
      expect(await store().groups.find(group().id)).toStrictEqual(toTop);
    });

    test('renaming to a name taken throws DuplicateError and changes nothing; an unknown group throws NotFoundError', async () => {
      await store().groups.create(group());
      await store().groups.create(group({ id: 'grp_ops', name: 'ops' }));
      const error = await store().groups.update('grp_ops', { name: 'engineering', description: 'changed' }).catch((error: unknown) => error);
      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'group', field: 'name' });
      expect(await store().groups.find('grp_ops')).toStrictEqual(group({ id: 'grp_ops', name: 'ops' }));
      await expect(store().groups.update('grp_ghost', { name: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().groups.findByName('ghost')).toBeUndefined();
    });

    test('remove deletes the group and its memberships, leaves other groups alone, and says whether there was one', async () => {
      await store().groups.create(group());
      await store().groups.create(group({ id: 'grp_ops', name: 'ops' }));
      await store().groups.addMember(group().id, 'account-ada');
      await store().groups.addMember(group().id, 'account-bob');
      await store().groups.addMember('grp_ops', 'account-ada');
      expect(await store().groups.remove(group().id)).toBe(true);
      expect(await store().groups.remove(group().id)).toBe(false);
      expect(await store().groups.find(group().id)).toBeUndefined();
      expect(await store().groups.members(group().id, 10)).toEqual([]);
      expect(await store().groups.groupIdsOf('account-ada')).toEqual(['grp_ops']);
      expect(await store().groups.groupIdsOf('account-bob')).toEqual([]);
      expect(await store().groups.members('grp_ops', 10)).toEqual(['account-ada']);
    });

    test('addMember is true once and then false; removeMember is true once and then false', async () => {
      await store().groups.create(group());
      expect(await store().groups.addMember(group().id, 'account-ada')).toBe(true);
      expect(await store().groups.addMember(group().id, 'account-ada')).toBe(false);
      expect(await store().groups.members(group().id, 10)).toEqual(['account-ada']);
      expect(await store().groups.removeMember(group().id, 'account-ada')).toBe(true);
      expect(await store().groups.removeMember(group().id, 'account-ada')).toBe(false);
      expect(await store().groups.members(group().id, 10)).toEqual([]);
      expect(await store().groups.addMember(group().id, 'account-ada')).toBe(true);
    });

    test('of 20 concurrent adds of the same member exactly one is true', async () => {
      await store().groups.create(group());
      const added = await Promise.all(Array.from({ length: 20 }, () => store().groups.addMember(group().id, 'account-ada')));
      expect(added.filter(Boolean)).toHaveLength(1);
      expect(await store().groups.members(group().id, 10)).toEqual(['account-ada']);
    });

    test('groupIdsOf returns the groups an account is directly in', async () => {
      for (const [id, name] of [['grp_a', 'a'], ['grp_b', 'b'], ['grp_c', 'c']] as const) await store().groups.create(group({ id, name }));
      await store().groups.addMember('grp_c', 'account-ada');
      await store().groups.addMember('grp_a', 'account-ada');
      await store().groups.addMember('grp_b', 'account-bob');
      expect((await store().groups.groupIdsOf('account-ada')).sort()).toEqual(['grp_a', 'grp_c']);
      expect(await store().groups.groupIdsOf('account-nobody')).toEqual([]);
    });

    test('members pages through a group in account id order', async () => {
      await store().groups.create(group());
      await store().groups.create(group({ id: 'grp_ops', name: 'ops' }));
      for (const id of ['account-e', 'account-a', 'account-d', 'account-b', 'account-c']) await store().groups.addMember(group().id, id);
      await store().groups.addMember('grp_ops', 'account-0');
      expect(await store().groups.members(group().id, 2)).toEqual(['account-a', 'account-b']);
      expect(await store().groups.members(group().id, 2, 'account-b')).toEqual(['account-c', 'account-d']);
      expect(await store().groups.members(group().id, 2, 'account-d')).toEqual(['account-e']);
      expect(await store().groups.members(group().id, 2, 'account-e')).toEqual([]);
      expect(await store().groups.members('grp_nothing', 2)).toEqual([]);
    });

    test('removeAccount forgets every membership of one account and says how many', async () => {
      await store().groups.create(group({ id: 'grp_a', name: 'a' }));
      await store().groups.create(group({ id: 'grp_b', name: 'b' }));
      await store().groups.addMember('grp_a', 'account-ada');
      await store().groups.addMember('grp_b', 'account-ada');
      await store().groups.addMember('grp_a', 'account-bob');
      expect(await store().groups.removeAccount('account-ada')).toBe(2);
      expect(await store().groups.removeAccount('account-ada')).toBe(0);
      expect(await store().groups.groupIdsOf('account-ada')).toEqual([]);
      expect(await store().groups.members('grp_a', 10)).toEqual(['account-bob']);
    });
  });

  describe('roles', () => {
    test('find and findByName return nothing before create, then exactly what was created', async () => {
      expect(await store().roles.find(role().id)).toBeUndefined();
      await store().roles.create(role());
      expect(await store().roles.find(role().id)).toStrictEqual(role());
      expect(await store().roles.findByName('orders.writer')).toStrictEqual(role());
      expect(await store().roles.findByName('orders.reader')).toBeUndefined();
    });

    test('a global role (no resource, no permissions, no description) round-trips', async () => {
      const global = role({ id: 'rol_auditor', name: 'auditor', resource: null, permissions: [], description: null });
      await store().roles.create(global);
      expect(await store().roles.find('rol_auditor')).toStrictEqual(global);
    });

    test('a name already taken throws DuplicateError naming the name, and keeps the first', async () => {
      await store().roles.create(role());
      const error = await store().roles.create(role({ id: 'rol_other', resource: null, permissions: [] })).catch((error: unknown) => error);
      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'role', field: 'name' });
      expect(await store().roles.find('rol_other')).toBeUndefined();
      expect(await store().roles.findByName('orders.writer')).toStrictEqual(role());
    });

    test('findMany returns the roles that exist among the ids; list returns every role by name', async () => {
      await store().roles.create(role({ id: 'rol_c', name: 'charlie' }));
      await store().roles.create(role({ id: 'rol_a', name: 'alpha' }));
      await store().roles.create(role({ id: 'rol_b', name: 'bravo' }));
      const found = await store().roles.findMany(['rol_a', 'keyline-admin', 'rol_c']);
      expect(found.map((entry) => entry.id).sort()).toEqual(['rol_a', 'rol_c']);
      expect(found.find((entry) => entry.id === 'rol_a')).toStrictEqual(role({ id: 'rol_a', name: 'alpha' }));
      expect(await store().roles.findMany([])).toEqual([]);
      expect((await store().roles.list()).map((entry) => entry.name)).toEqual(['alpha', 'bravo', 'charlie']);
    });

    test('update changes only what the patch gives, keeps the resource, and moves updatedAt', async () => {
      await store().roles.create(role());
      const updated = await store().roles.update(role().id, { permissions: ['orders:read'], name: undefined });
      expect(updated).toMatchObject({
        name: 'orders.writer', resource: role().resource, permissions: ['orders:read'], description: role().description, createdAt: T0,
      });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(T0.getTime());
      expect(await store().roles.find(role().id)).toStrictEqual(updated);
      const renamed = await store().roles.update(role().id, { name: 'orders.reader', description: null });
      expect(renamed).toMatchObject({ name: 'orders.reader', description: null, permissions: ['orders:read'] });
      expect(await store().roles.findByName('orders.reader')).toStrictEqual(renamed);
      expect(await store().roles.findByName('orders.writer')).toBeUndefined();
    });

    test('renaming to a name taken throws DuplicateError and changes nothing; an unknown role throws NotFoundError', async () => {
      await store().roles.create(role());
      await store().roles.create(role({ id: 'rol_reader', name: 'orders.reader', permissions: ['orders:read'] }));
      const error = await store().roles.update('rol_reader', { name: 'orders.writer', permissions: [] }).catch((error: unknown) => error);
      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'role', field: 'name' });
      expect(await store().roles.find('rol_reader')).toStrictEqual(role({ id: 'rol_reader', name: 'orders.reader', permissions: ['orders:read'] }));
      await expect(store().roles.update('rol_ghost', { name: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().roles.findByName('ghost')).toBeUndefined();
    });

    test('remove deletes the role and every grant of it, leaves other grants alone, and says whether there was one', async () => {
      await store().roles.create(role());
      await store().roles.create(role({ id: 'rol_reader', name: 'orders.reader' }));
      await store().roles.grant(role().id, ada);
      await store().roles.grant(role().id, ops);
      await store().roles.grant('rol_reader', ada);
      expect(await store().roles.remove(role().id)).toBe(true);
      expect(await store().roles.remove(role().id)).toBe(false);
      expect(await store().roles.find(role().id)).toBeUndefined();
      expect(await store().roles.grantsOf(role().id)).toEqual([]);
      expect(grantPairs(await store().roles.grantsTo([ada, ops]))).toEqual(['rol_reader user:account-ada']);
    });

    test('grant is true once and then false; revoke is true once and then false', async () => {
      await store().roles.create(role());
      const before = Date.now();
      expect(await store().roles.grant(role().id, ada)).toBe(true);
      expect(await store().roles.grant(role().id, ada)).toBe(false);
      const [granted] = await store().roles.grantsOf(role().id);
      expect(granted).toStrictEqual({ roleId: role().id, holder: ada, createdAt: expect.any(Date) });
      expect(granted!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await store().roles.revoke(role().id, ada)).toBe(true);
      expect(await store().roles.revoke(role().id, ada)).toBe(false);
      expect(await store().roles.grantsOf(role().id)).toEqual([]);
    });

    test('a holder of one kind is not the holder of the same id of another kind', async () => {
      await store().roles.create(role());
      expect(await store().roles.grant(role().id, { kind: 'user', id: 'shared-id' })).toBe(true);
      expect(await store().roles.grant(role().id, { kind: 'client', id: 'shared-id' })).toBe(true);
      expect(grantPairs(await store().roles.grantsTo([{ kind: 'group', id: 'shared-id' }]))).toEqual([]);
      expect(await store().roles.revoke(role().id, { kind: 'group', id: 'shared-id' })).toBe(false);
      expect(await store().roles.removeHolder({ kind: 'client', id: 'shared-id' })).toBe(1);
      expect(grantPairs(await store().roles.grantsOf(role().id))).toEqual([`${role().id} user:shared-id`]);
    });

    test('of 20 concurrent grants of the same role to the same holder exactly one is true', async () => {
      await store().roles.create(role());
      const granted = await Promise.all(Array.from({ length: 20 }, () => store().roles.grant(role().id, ops)));
      expect(granted.filter(Boolean)).toHaveLength(1);
      expect(grantPairs(await store().roles.grantsOf(role().id))).toEqual([`${role().id} group:grp_ops`]);
    });

    test('grantsTo returns every grant to any of the holders, and nothing for none', async () => {
      await store().roles.create(role());
      await store().roles.create(role({ id: 'rol_reader', name: 'orders.reader' }));
      await store().roles.grant(role().id, ada);
      await store().roles.grant('rol_reader', ops);
      await store().roles.grant('rol_reader', batch);
      await store().roles.grant('rol_reader', { kind: 'user', id: 'account-bob' });
      expect(grantPairs(await store().roles.grantsTo([ada, ops]))).toEqual([`${role().id} user:account-ada`, 'rol_reader group:grp_ops']);
      expect(grantPairs(await store().roles.grantsTo([batch]))).toEqual(['rol_reader client:batch-client']);
      expect(await store().roles.grantsTo([])).toEqual([]);
      expect(await store().roles.grantsTo([{ kind: 'user', id: 'account-nobody' }])).toEqual([]);
    });

    test('grantsOf returns every grant of one role, oldest first', async () => {
      await store().roles.create(role());
      await store().roles.grant(role().id, batch);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store().roles.grant(role().id, ada);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store().roles.grant(role().id, ops);
      await store().roles.grant('rol_other', ada);
      const grants = await store().roles.grantsOf(role().id);
      expect(grants.map((entry) => entry.holder)).toEqual([batch, ada, ops]);
      expect(grants.every((entry) => entry.roleId === role().id && entry.createdAt instanceof Date)).toBe(true);
    });

    test('removeHolder forgets every grant to one holder and says how many', async () => {
      await store().roles.create(role());
      await store().roles.create(role({ id: 'rol_reader', name: 'orders.reader' }));
      await store().roles.grant(role().id, ops);
      await store().roles.grant('rol_reader', ops);
      await store().roles.grant('rol_reader', ada);
      expect(await store().roles.removeHolder(ops)).toBe(2);
      expect(await store().roles.removeHolder(ops)).toBe(0);
      expect(await store().roles.grantsTo([ops])).toEqual([]);
      expect(grantPairs(await store().roles.grantsOf('rol_reader'))).toEqual(['rol_reader user:account-ada']);
    });

    test('a built-in role, which has no record, is granted by its id like any other', async () => {
      expect(await store().roles.grant('keyline-admin', ada)).toBe(true);
      expect(await store().roles.grant('keyline-admin', ada)).toBe(false);
      expect(await store().roles.grant('keyline-viewer', batch)).toBe(true);
      expect(grantPairs(await store().roles.grantsTo([ada, batch]))).toEqual(['keyline-admin user:account-ada', 'keyline-viewer client:batch-client']);
      expect(await store().roles.find('keyline-admin')).toBeUndefined();
      expect(await store().roles.revoke('keyline-admin', ada)).toBe(true);
      expect(await store().roles.grantsOf('keyline-admin')).toEqual([]);
    });
  });
});

/** Two stores on one location, as two Keyline processes (or nodes) on one database have. */
describe.each(storeBackends)('$name store: groups and roles from two processes at once', (backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  let stores: Store[] = [];
  beforeEach(async () => {
    const created = await backend.create();
    cleanup = created.cleanup;
    stores = [
      await openStore({ store: created.location, sqlite: { synchronous: 'NORMAL' } }),
      await openStore({ store: created.location, sqlite: { synchronous: 'NORMAL' } }),
    ];
  });
  afterEach(async () => {
    await Promise.all(stores.map((opened) => opened.close()));
    stores = [];
    await cleanup?.();
  });

  test('of 20 adds of one member and 20 grants of one role, split over both, exactly one of each is true', async () => {
    await stores[0]!.groups.create(group());
    const [added, granted] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, index) => stores[index % 2]!.groups.addMember(group().id, 'account-ada'))),
      Promise.all(Array.from({ length: 20 }, (_, index) => stores[index % 2]!.roles.grant('keyline-admin', ada))),
    ]);
    expect(added.filter(Boolean)).toHaveLength(1);
    expect(granted.filter(Boolean)).toHaveLength(1);
    expect(await stores[1]!.groups.members(group().id, 10)).toEqual(['account-ada']);
    expect(grantPairs(await stores[1]!.roles.grantsOf('keyline-admin'))).toEqual(['keyline-admin user:account-ada']);
  });

  test('a group removed by one while the other renames it is gone, with its memberships', async () => {
    await stores[0]!.groups.create(group());
    await stores[0]!.groups.addMember(group().id, 'account-ada');
    const [removed] = await Promise.all([
      stores[0]!.groups.remove(group().id),
      stores[1]!.groups.update(group().id, { name: 'renamed' }).catch((error: unknown) => error),
    ]);
    expect(removed).toBe(true);
    expect(await stores[1]!.groups.find(group().id)).toBeUndefined();
    expect(await stores[1]!.groups.groupIdsOf('account-ada')).toEqual([]);
  });
});

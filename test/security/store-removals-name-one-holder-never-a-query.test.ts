/**
 * Attacker: an id that reaches the store as an object (a JSON body's `{"$ne": null}` that no layer
 * above turned into a string) must not become a MongoDB query operator. The bulk removals
 * (every membership of an account, every grant to a holder, a group's memberships, a role's
 * grants) then named one record and wiped them all. Each must remove nothing and keep every row.
 */
import type { RoleHolder } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from '../contract/contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

const operator = { $ne: null } as unknown as string;

describe.each(backends)('$name store: removals take ids, not queries', (backend) => {
  const store = useFreshStore(backend);

  async function seed(): Promise<void> {
    const at = new Date();
    await store().groups.create({ id: 'grp_a', name: 'a', parentId: null, description: null, createdAt: at, updatedAt: at });
    await store().groups.addMember('grp_a', 'account-1');
    await store().groups.addMember('grp_a', 'account-2');
    await store().roles.grant('keyline-admin', { kind: 'user', id: 'account-1' });
    await store().roles.grant('keyline-viewer', { kind: 'client', id: 'batch' });
  }

  /** The removal either refuses the value or removes nothing; it never removes what it was not named. */
  async function removedNothing(removal: () => Promise<unknown>): Promise<void> {
    const outcome = await removal().catch(() => 0);
    expect([0, false]).toContain(outcome);
    expect(await store().groups.members('grp_a', 10)).toEqual(['account-1', 'account-2']);
    expect(await store().roles.grantsOf('keyline-admin')).toHaveLength(1);
    expect(await store().roles.grantsOf('keyline-viewer')).toHaveLength(1);
  }

  test('removeAccount with an operator for the account id', async () => {
    await seed();
    await removedNothing(() => store().groups.removeAccount(operator));
  });

  test('removeHolder with an operator for the kind or the id', async () => {
    await seed();
    await removedNothing(() => store().roles.removeHolder({ kind: 'user', id: operator }));
    await removedNothing(() => store().roles.removeHolder({ kind: operator, id: operator } as unknown as RoleHolder));
  });

  test('removing a group or a role whose id is an operator', async () => {
    await seed();
    await removedNothing(() => store().groups.remove(operator));
    await removedNothing(() => store().roles.remove(operator));
  });
});

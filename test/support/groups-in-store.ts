import type { RunningKeyline } from './start-keyline.ts';

/**
 * A member of `platform`, a child of `engineering`, whose members all hold the global role `staff`.
 * Built in the store directly: this branch has no admin route for groups and roles yet.
 */
export async function memberOfChildGroup(kl: RunningKeyline, accountId: string): Promise<void> {
  const now = new Date();
  await kl.store.groups.create({ id: 'grp_engineering0000000000000', name: 'engineering', parentId: null, description: null, createdAt: now, updatedAt: now });
  await kl.store.groups.create({ id: 'grp_platform000000000000000', name: 'platform', parentId: 'grp_engineering0000000000000', description: null, createdAt: now, updatedAt: now });
  await kl.store.groups.addMember('grp_platform000000000000000', accountId);
  await kl.store.roles.create({ id: 'rol_staff00000000000000000', name: 'staff', resource: null, permissions: [], description: null, createdAt: now, updatedAt: now });
  await kl.store.roles.grant('rol_staff00000000000000000', { kind: 'group', id: 'grp_engineering0000000000000' });
}

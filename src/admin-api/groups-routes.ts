import { requireUserById } from '../accounts/user-administration.ts';
import type { AuditedRunner } from '../audit/audited-change.ts';
import {
  addGroupMember, createGroup, listRoles, membersOf, removeGroup, removeGroupMember, requireGroup, updateGroup, type AuthorizationAdministration,
} from '../authorization/authorization-administration.ts';
import type { GroupRecord, Store } from '../store/store.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOf, pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  groupChangesSchema, groupDetailsSchema, groupPageSchema, groupPathSchema, groupSchema, groupView, memberPageSchema, memberPagingQuerySchema,
  memberPathSchema, newGroupSchema,
} from './schemas/group-schemas.ts';

async function parentName(store: Store, group: GroupRecord): Promise<string | null> {
  return group.parentId ? (await store.groups.find(group.parentId))?.name ?? null : null;
}

/** Groups (what `keyline groups` manages): the tree, and who is in each. Every change goes through authorization-administration.ts. */
export function groupOperations({ store, issuer, resources, accounts, signals }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): AuthorizationAdministration => ({ store, issuer, resources, audited, signals });
  const view = async (group: GroupRecord) => groupView(group, await parentName(store, group));

  return [
    defineOperation({
      id: 'createGroup', method: 'post', path: '/groups', summary: 'Create a group, optionally below a parent', access: 'write',
      body: newGroupSchema,
      success: { status: 201, description: 'The new group', schema: groupSchema },
      problems: [404, 409, 422],
      async handle({ body, audited }) {
        return { body: await view(await createGroup(administration(audited), body)) };
      },
    }),
    defineOperation({
      id: 'listGroups', method: 'get', path: '/groups', summary: 'List groups by name', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of groups', schema: groupPageSchema },
      problems: [422],
      async handle({ query }) {
        const all = await store.groups.list();
        const names = new Map(all.map((group) => [group.id, group.name]));
        const sorted = all.sort((a, b) => (a.name < b.name ? -1 : 1));
        return { body: pageOfSorted(sorted, (group) => group.name, query.cursor?.after, query.limit, (group) => groupView(group, group.parentId ? names.get(group.parentId) ?? null : null)) };
      },
    }),
    defineOperation({
      id: 'getGroup', method: 'get', path: '/groups/{id}', summary: 'A group: its parent, children, member count and the roles granted to it', access: 'read',
      params: groupPathSchema,
      success: { status: 200, description: 'The group', schema: groupDetailsSchema },
      problems: [404],
      async handle({ params }) {
        const group = await requireGroup(store, params.id);
        const [children, members, grants, allRoles] = await Promise.all([
          store.groups.children(group.id), membersOf(store, [group.id]), store.roles.grantsTo([{ kind: 'group', id: group.id }]), listRoles(store, issuer),
        ]);
        const granted = new Set(grants.map((grant) => grant.roleId));
        const roles = allRoles.filter((role) => granted.has(role.id));
        return {
          body: {
            ...await view(group),
            children: children.map(({ id, name }) => ({ id, name })).sort((a, b) => (a.name < b.name ? -1 : 1)),
            memberCount: members.length,
            roles: roles.map(({ id, name, resource }) => ({ id, name, resource })).sort((a, b) => (a.name < b.name ? -1 : 1)),
          },
        };
      },
    }),
    defineOperation({
      id: 'updateGroup', method: 'patch', path: '/groups/{id}', summary: 'Rename a group, move it to another parent (or to the top), or change its description', access: 'write',
      description: 'A parent that would make a cycle is refused (422), naming the chain.',
      params: groupPathSchema,
      body: groupChangesSchema,
      success: { status: 200, description: 'The group as changed', schema: groupSchema },
      problems: [404, 409, 422],
      async handle({ params, body, audited }) {
        return { body: await view(await updateGroup(administration(audited), await requireGroup(store, params.id), body)) };
      },
    }),
    defineOperation({
      id: 'removeGroup', method: 'delete', path: '/groups/{id}', summary: 'Remove a group with its memberships and the grants to it (not while it has child groups)', access: 'write',
      params: groupPathSchema,
      success: { status: 204, description: 'Removed' },
      problems: [404, 409],
      async handle({ params, audited }) {
        await removeGroup(administration(audited), await requireGroup(store, params.id));
        return {};
      },
    }),
    defineOperation({
      id: 'listGroupMembers', method: 'get', path: '/groups/{id}/members', summary: 'The group\'s direct members, by user id', access: 'read',
      params: groupPathSchema,
      query: memberPagingQuerySchema,
      success: { status: 200, description: 'A page of members', schema: memberPageSchema },
      problems: [404, 422],
      async handle({ params, query }) {
        const group = await requireGroup(store, params.id);
        const ids = await store.groups.members(group.id, query.limit + 1, query.cursor?.after);
        const page = pageOf(ids, query.limit, (id) => ({ after: id }), (id) => id);
        const members = await Promise.all(page.items.map((id) => accounts.findById(id)));
        return {
          body: {
            items: members.flatMap((account) => (account ? [{ id: account.id, email: account.email, name: account.name, disabled: account.disabled }] : [])),
            nextCursor: page.nextCursor,
          },
        };
      },
    }),
    defineOperation({
      id: 'addGroupMember', method: 'put', path: '/groups/{id}/members/{userId}', summary: 'Make a user a member of the group (no change when they are one)', access: 'write',
      params: memberPathSchema,
      success: { status: 204, description: 'The user is a member' },
      problems: [404],
      async handle({ params, audited }) {
        const group = await requireGroup(store, params.id);
        await addGroupMember(administration(audited), group, await requireUserById(accounts, params.userId));
        return {};
      },
    }),
    defineOperation({
      id: 'removeGroupMember', method: 'delete', path: '/groups/{id}/members/{userId}', summary: 'Take a user out of the group (no change when they are not in it)', access: 'write',
      params: memberPathSchema,
      success: { status: 204, description: 'The user is not a member' },
      problems: [404],
      async handle({ params, audited }) {
        const group = await requireGroup(store, params.id);
        await removeGroupMember(administration(audited), group, await requireUserById(accounts, params.userId));
        return {};
      },
    }),
  ];
}

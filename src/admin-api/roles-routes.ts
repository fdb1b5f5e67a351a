import { requireUserById } from '../accounts/user-administration.ts';
import type { AuditedRunner } from '../audit/audited-change.ts';
import {
  createRole, grantRole, listRoles, removeRole, requireGroup, requireRole, revokeRole, updateRole, type AuthorizationAdministration,
} from '../authorization/authorization-administration.ts';
import { requireClient } from '../oidc/client-administration.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AccountRecord, RoleGrant, RoleHolder } from '../store/store.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  grantListSchema, grantPathSchema, grantSchema, newGrantSchema, newRoleSchema, roleChangesSchema, roleDetailsSchema, rolePageSchema, rolePathSchema,
  roleSchema, roleView,
} from './schemas/role-schemas.ts';

/** Roles (what `keyline roles` manages), Keyline's own included, and who holds each. Every change goes through authorization-administration.ts. */
export function roleOperations({ store, issuer, resources, accounts, signals }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): AuthorizationAdministration => ({ store, issuer, resources, audited, signals });

  /** The holder a grant names, as it exists now: a user by id, a group by id or name, a client by client id. */
  async function requireHolder(kind: RoleHolder['kind'], id: string): Promise<{ holder: RoleHolder; about?: AccountRecord }> {
    if (kind === 'user') {
      const account = await requireUserById(accounts, id);
      return { holder: { kind, id: account.id }, about: account };
    }
    if (kind === 'group') return { holder: { kind, id: (await requireGroup(store, id)).id } };
    return { holder: { kind, id: (await requireClient(store, id)).clientId } };
  }

  async function grantView({ holder, createdAt }: RoleGrant) {
    let name: string | null = null;
    if (holder.kind === 'user') name = (await accounts.findById(holder.id))?.email ?? null;
    else if (holder.kind === 'group') name = (await store.groups.find(holder.id))?.name ?? null;
    else {
      const clientName = (await store.clients.find(holder.id))?.metadata.client_name;
      name = typeof clientName === 'string' ? clientName : null;
    }
    return { kind: holder.kind, id: holder.id, name, createdAt: createdAt.toISOString() };
  }

  const grantsOf = async (roleId: string) => Promise.all((await store.roles.grantsOf(roleId)).map(grantView));

  return [
    defineOperation({
      id: 'createRole', method: 'post', path: '/roles', summary: 'Create a role on an API resource (its permissions are that API\'s scopes), or a global one', access: 'write',
      body: newRoleSchema,
      success: { status: 201, description: 'The new role', schema: roleSchema },
      problems: [409, 422],
      async handle({ body, audited }) {
        return { body: roleView(await createRole(administration(audited), body)) };
      },
    }),
    defineOperation({
      id: 'listRoles', method: 'get', path: '/roles', summary: 'List roles by name, Keyline\'s own (keyline-admin, keyline-helpdesk, keyline-viewer) included', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of roles', schema: rolePageSchema },
      problems: [422],
      async handle({ query }) {
        const sorted = (await listRoles(store, issuer)).sort((a, b) => (a.name < b.name ? -1 : 1));
        return { body: pageOfSorted(sorted, (role) => role.name, query.cursor?.after, query.limit, roleView) };
      },
    }),
    defineOperation({
      id: 'getRole', method: 'get', path: '/roles/{id}', summary: 'A role, with every grant of it', access: 'read',
      params: rolePathSchema,
      success: { status: 200, description: 'The role', schema: roleDetailsSchema },
      problems: [404],
      async handle({ params }) {
        const role = await requireRole(store, issuer, params.id);
        return { body: { ...roleView(role), grants: await grantsOf(role.id) } };
      },
    }),
    defineOperation({
      id: 'updateRole', method: 'patch', path: '/roles/{id}', summary: 'Rename a role, or change its permissions or description (not Keyline\'s own)', access: 'write',
      params: rolePathSchema,
      body: roleChangesSchema,
      success: { status: 200, description: 'The role as changed', schema: roleSchema },
      problems: [404, 409, 422],
      async handle({ params, body, audited }) {
        return { body: roleView(await updateRole(administration(audited), await requireRole(store, issuer, params.id), body)) };
      },
    }),
    defineOperation({
      id: 'removeRole', method: 'delete', path: '/roles/{id}', summary: 'Remove a role and every grant of it (not Keyline\'s own)', access: 'write',
      params: rolePathSchema,
      success: { status: 204, description: 'Removed' },
      problems: [404, 409],
      async handle({ params, audited }) {
        await removeRole(administration(audited), await requireRole(store, issuer, params.id));
        return {};
      },
    }),
    defineOperation({
      id: 'listRoleGrants', method: 'get', path: '/roles/{id}/grants', summary: 'Who holds the role directly: users, groups and clients, oldest grant first', access: 'read',
      params: rolePathSchema,
      success: { status: 200, description: 'The grants', schema: grantListSchema },
      problems: [404],
      async handle({ params }) {
        return { body: { items: await grantsOf((await requireRole(store, issuer, params.id)).id) } };
      },
    }),
    defineOperation({
      id: 'grantRole', method: 'post', path: '/roles/{id}/grants', summary: 'Grant the role to a user, a group (every member holds it) or a machine client', access: 'write',
      description: 'Keyline\'s own roles are for people (directly or through a group): a client reaches the admin API through its registered scopes.',
      params: rolePathSchema,
      body: newGrantSchema,
      success: { status: 201, description: 'The grant (200 when the holder already had the role)', schema: grantSchema },
      problems: [404, 422],
      async handle({ params, body, audited }) {
        const role = await requireRole(store, issuer, params.id);
        const { holder, about } = await requireHolder(body.kind, body.id);
        const granted = await grantRole(administration(audited), role, holder, about);
        const grant = (await store.roles.grantsOf(role.id)).find((entry) => entry.holder.kind === holder.kind && entry.holder.id === holder.id);
        return { status: granted ? 201 : 200, body: await grantView(grant ?? { roleId: role.id, holder, createdAt: new Date() }) };
      },
    }),
    defineOperation({
      id: 'revokeRole', method: 'delete', path: '/roles/{id}/grants/{kind}/{holderId}', summary: 'Take the role from a user, group or client', access: 'write',
      params: grantPathSchema,
      success: { status: 204, description: 'Revoked' },
      problems: [404, 422],
      async handle({ params, audited }) {
        const role = await requireRole(store, issuer, params.id);
        // A holder that is gone may still be named by its id (its grant would have gone with it; this is only a fallback).
        const { holder, about } = await requireHolder(params.kind, params.holderId)
          .catch((error: unknown) => { if (error instanceof NotFoundError) return { holder: { kind: params.kind, id: params.holderId }, about: undefined }; throw error; });
        if (!await revokeRole(administration(audited), role, holder, about)) throw new NotFoundError('grant', `${holder.kind} ${holder.id} of ${role.name}`);
        return {};
      },
    }),
  ];
}

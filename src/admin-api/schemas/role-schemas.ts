import { z } from 'zod';
import { isBuiltInRoleId } from '../../authorization/built-in-roles.ts';
import type { RoleRecord } from '../../store/store.ts';
import { pageSchema } from '../paging.ts';

/** Roles and their grants in the admin API; authorization-administration.ts checks names, resources and permissions. */
const roleName = z.string().max(200).meta({ description: 'Letters, digits, ".", "_", ":" or "-", at most 64; unique; not starting "keyline-" (Keyline\'s own).' });
const permissions = z.array(z.string().max(200)).max(200).meta({ description: 'Scopes of the role\'s resource.' });
const description = z.string().max(1000).nullable().optional().meta({ description: 'One line, at most 200 characters; null removes it.' });

export const rolePathSchema = z.object({ id: z.string().min(1).max(200).meta({ description: 'The role\'s id or name (a built-in role\'s id is its name).' }) });

export const HOLDER_KINDS = ['user', 'group', 'client'] as const;

export const grantPathSchema = rolePathSchema.extend({
  kind: z.enum(HOLDER_KINDS),
  holderId: z.string().min(1).max(200).meta({ description: 'The user\'s id, the group\'s id or name, or the client id.' }),
});

export const newRoleSchema = z.strictObject({
  name: roleName,
  resource: z.string().max(2000).nullable().meta({ description: 'The API resource indicator whose scopes the permissions are; null for a global role (a label, with no permissions).' }),
  permissions: permissions.optional(),
  description,
}).meta({ id: 'NewRole' });

export const roleChangesSchema = z.strictObject({
  name: roleName.optional(),
  permissions: permissions.optional().meta({ description: 'The whole new set.' }),
  description,
}).meta({ id: 'RoleChanges', description: 'Only the fields given change. A role\'s resource cannot change.' });

export const newGrantSchema = z.strictObject({
  kind: z.enum(HOLDER_KINDS),
  id: z.string().min(1).max(200).meta({ description: 'The user\'s id, the group\'s id or name, or the client id.' }),
}).meta({ id: 'NewGrant' });

export const roleSchema = z.object({
  id: z.string(),
  name: z.string(),
  resource: z.string().nullable(),
  permissions: z.array(z.string()),
  description: z.string().nullable(),
  builtIn: z.boolean().meta({ description: 'One of Keyline\'s own roles on the admin API; it cannot be changed or removed.' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'Role' });

export const grantSchema = z.object({
  kind: z.enum(HOLDER_KINDS),
  id: z.string(),
  name: z.string().nullable().meta({ description: 'The user\'s email, the group\'s name or the client\'s name; null when it cannot be found.' }),
  createdAt: z.iso.datetime(),
}).meta({ id: 'Grant' });

export const roleDetailsSchema = roleSchema.extend({ grants: z.array(grantSchema) }).meta({ id: 'RoleDetails' });
export const rolePageSchema = pageSchema(roleSchema, 'RolePage');
export const grantListSchema = z.object({ items: z.array(grantSchema) }).meta({ id: 'GrantList' });

export function roleView(role: RoleRecord): z.input<typeof roleSchema> {
  return {
    id: role.id,
    name: role.name,
    resource: role.resource,
    permissions: role.permissions,
    description: role.description,
    builtIn: isBuiltInRoleId(role.id),
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}

import { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE, adminApiIndicator } from '../oidc/admin-api-resource.ts';
import type { RoleRecord } from '../store/store.ts';

export const KEYLINE_ADMIN = 'keyline-admin';
export const KEYLINE_HELPDESK = 'keyline-helpdesk';
export const KEYLINE_VIEWER = 'keyline-viewer';

const BUILT_IN: ReadonlyArray<{ name: string; permissions: string[]; description: string }> = [
  { name: KEYLINE_ADMIN, permissions: [ADMIN_SCOPE, ADMIN_READ_SCOPE, ADMIN_HELPDESK_SCOPE], description: 'Everything the admin API can do' },
  {
    name: KEYLINE_HELPDESK,
    permissions: [ADMIN_HELPDESK_SCOPE],
    description: 'Read users, unlock them, reset their second factors, send reset links, end their sessions; no clients, keys or settings',
  },
  { name: KEYLINE_VIEWER, permissions: [ADMIN_READ_SCOPE], description: 'Read everything, change nothing' },
];

const EPOCH = new Date(0);

/**
 * Keyline's own roles, on its admin API. They have no record in the store (they cannot be changed
 * or removed); their id is their name, so granting one is an ordinary grant.
 */
export function builtInRoles(issuer: string): RoleRecord[] {
  return BUILT_IN.map((role) => ({
    id: role.name,
    name: role.name,
    resource: adminApiIndicator(issuer),
    permissions: role.permissions,
    description: role.description,
    createdAt: EPOCH,
    updatedAt: EPOCH,
  }));
}

export function isBuiltInRoleId(id: string): boolean {
  return BUILT_IN.some((role) => role.name === id);
}

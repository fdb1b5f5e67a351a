import type { GroupRecord, RoleHolder, RoleRecord, Store } from '../store/store.ts';
import { builtInRoles } from './built-in-roles.ts';

/** How deep a chain of parent groups may go; the administration refuses deeper ones. */
export const MAX_GROUP_DEPTH = 16;

/** What a person or machine client holds right now: the groups (with their ancestors) and the roles from every source. */
export interface EffectiveAccess {
  /** Group names, direct and inherited, sorted. A client has none. */
  groups: string[];
  /** Every role held directly or through a group, each once, by name. */
  roles: RoleRecord[];
}

export interface ResourceAccess {
  /** The names of the subject's roles on this resource, sorted. */
  roles: string[];
  /** The union of those roles' permissions (scopes of this resource), sorted. */
  permissions: string[];
}

/**
 * The groups an account is in, with every ancestor: one read per level. A cycle (which the
 * administration refuses, but a race of two moves could leave) ends where it meets a seen group.
 */
async function groupsWithAncestors(store: Store, directIds: readonly string[]): Promise<GroupRecord[]> {
  const seen = new Map<string, GroupRecord>();
  let frontier = [...new Set(directIds)];
  for (let depth = 0; frontier.length > 0 && depth <= MAX_GROUP_DEPTH; depth += 1) {
    const found = await store.groups.findMany(frontier);
    for (const group of found) seen.set(group.id, group);
    frontier = [...new Set(found.map((group) => group.parentId).filter((id): id is string => id !== null && !seen.has(id)))];
  }
  return [...seen.values()];
}

async function rolesGrantedTo(store: Store, issuer: string, holders: readonly RoleHolder[]): Promise<RoleRecord[]> {
  const roleIds = [...new Set((await store.roles.grantsTo(holders)).map((grant) => grant.roleId))];
  if (roleIds.length === 0) return [];
  const builtIn = builtInRoles(issuer).filter((role) => roleIds.includes(role.id));
  const stored = await store.roles.findMany(roleIds.filter((id) => !builtIn.some((role) => role.id === id)));
  return [...builtIn, ...stored].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The one place that says what a person holds. It reads the store every time, on purpose: a role
 * revoked on one node is absent from the next token any node issues (no cache to go stale).
 */
export async function effectiveAccessOfAccount(store: Store, issuer: string, accountId: string): Promise<EffectiveAccess> {
  const groups = await groupsWithAncestors(store, await store.groups.groupIdsOf(accountId));
  const holders: RoleHolder[] = [{ kind: 'user', id: accountId }, ...groups.map((group) => ({ kind: 'group' as const, id: group.id }))];
  return {
    groups: groups.map((group) => group.name).sort(),
    roles: await rolesGrantedTo(store, issuer, holders),
  };
}

/** What a machine client holds (client_credentials): roles granted to it; never groups. */
export async function effectiveAccessOfClient(store: Store, issuer: string, clientId: string): Promise<EffectiveAccess> {
  return { groups: [], roles: await rolesGrantedTo(store, issuer, [{ kind: 'client', id: clientId }]) };
}

/** The subject's roles and permissions on one resource only: never another API's. */
export function accessFor(access: EffectiveAccess, resourceIndicator: string): ResourceAccess {
  const roles = access.roles.filter((role) => role.resource === resourceIndicator);
  return {
    roles: roles.map((role) => role.name).sort(),
    permissions: [...new Set(roles.flatMap((role) => role.permissions))].sort(),
  };
}

/** The names of the subject's global roles (those of no resource), sorted. */
export function globalRoleNames(access: EffectiveAccess): string[] {
  return access.roles.filter((role) => role.resource === null).map((role) => role.name).sort();
}

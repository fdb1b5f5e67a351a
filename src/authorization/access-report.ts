import type { Store } from '../store/store.ts';
import { accessFor, effectiveAccessOfAccount, globalRoleNames } from './effective-access.ts';

export interface RoleSource {
  id: string;
  name: string;
  resource: string | null;
  /** Granted to the person themselves. */
  direct: boolean;
  /** The person's groups (inherited ones included) the role is granted to, sorted. */
  groups: string[];
}

/** What an administrator sees of a person's access: effective-access.ts's answer, with where each role comes from. */
export interface AccessReport {
  groups: string[];
  roles: RoleSource[];
  resources: Array<{ resource: string; roles: string[]; permissions: string[] }>;
  globalRoles: string[];
}

export async function accessReport(store: Store, issuer: string, accountId: string): Promise<AccessReport> {
  const access = await effectiveAccessOfAccount(store, issuer, accountId);
  const groups = (await Promise.all(access.groups.map((name) => store.groups.findByName(name)))).filter((group) => group !== undefined);
  const [direct, throughGroups] = await Promise.all([
    store.roles.grantsTo([{ kind: 'user', id: accountId }]),
    groups.length > 0 ? store.roles.grantsTo(groups.map((group) => ({ kind: 'group' as const, id: group.id }))) : [],
  ]);
  const groupName = new Map(groups.map((group) => [group.id, group.name]));
  const resources = [...new Set(access.roles.map((role) => role.resource).filter((resource) => resource !== null))].sort();
  return {
    groups: access.groups,
    roles: access.roles.map((role) => ({
      id: role.id,
      name: role.name,
      resource: role.resource,
      direct: direct.some((grant) => grant.roleId === role.id),
      groups: throughGroups.filter((grant) => grant.roleId === role.id).map((grant) => groupName.get(grant.holder.id)!).sort(),
    })),
    resources: resources.map((resource) => ({ resource, ...accessFor(access, resource) })),
    globalRoles: globalRoleNames(access),
  };
}

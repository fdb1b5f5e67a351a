import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { changedFields, type AuditedRunner } from '../audit/audited-change.ts';
import type { ResourceRegistry } from '../oidc/resource-registry.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import type { SecuritySignals } from '../signals/security-signals.ts';
import { DuplicateError, NotFoundError } from '../store/store-errors.ts';
import type { AccountRecord, GroupRecord, RoleHolder, RoleRecord, Store } from '../store/store.ts';
import { AuthorizationError } from './authorization-error.ts';
import { builtInRoles, isBuiltInRoleId } from './built-in-roles.ts';
import { MAX_GROUP_DEPTH } from './effective-access.ts';
import { nameProblem } from './names.ts';

/**
 * What changes groups, memberships, roles and grants, from the CLI and the admin API alike. Each
 * change is checked, recorded in the audit trail, made, and then announced: every person whose
 * groups or roles it changed gets a CAEP token-claims-change, so APIs that listen learn of it at
 * once. Nothing already issued changes; the next token (or refresh) carries the new state.
 */
export interface AuthorizationAdministration {
  store: Store;
  issuer: string;
  resources: ResourceRegistry;
  audited: AuditedRunner;
  signals: SecuritySignals;
}

export interface NewGroup {
  name: string;
  /** The parent's name or id. */
  parent?: string | null;
  description?: string | null;
}

export interface GroupChanges {
  name?: string;
  /** The new parent's name or id; null makes it a top-level group. */
  parent?: string | null;
  description?: string | null;
}

export interface NewRole {
  name: string;
  /** The resource indicator; null (or absent) for a global role. */
  resource?: string | null;
  permissions?: string[];
  description?: string | null;
}

export interface RoleChanges {
  name?: string;
  permissions?: string[];
  description?: string | null;
}

const GROUP_TREE_LEASE = 'authorization:group-tree';
const LEASE_SECONDS = 10;
const RETRY_MS = 25;
const DESCRIPTION_LIMIT = 200;

const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString('base64url')}`;

function checkName(kind: 'group' | 'role', name: string): void {
  const problem = nameProblem(kind, name);
  if (problem) throw new AuthorizationError('name', problem);
}

function checkDescription(description: string | null | undefined): void {
  if (description && (description.length > DESCRIPTION_LIMIT || /[\u0000-\u001f\u007f]/.test(description))) {
    throw new AuthorizationError('description', `description must be at most ${DESCRIPTION_LIMIT} characters on one line`);
  }
}

const groupView = (group: GroupRecord) => ({ name: group.name, parentId: group.parentId, description: group.description });
const roleView = (role: RoleRecord) => ({ name: role.name, resource: role.resource, permissions: role.permissions, description: role.description });
const holderView = (holder: RoleHolder) => ({ holderKind: holder.kind, holderId: holder.id });

/** A group by id or name; NotFoundError otherwise. */
export async function requireGroup(store: Store, nameOrId: string): Promise<GroupRecord> {
  const group = await store.groups.find(nameOrId) ?? await store.groups.findByName(nameOrId);
  if (!group) throw new NotFoundError('group', nameOrId);
  return group;
}

/** A role (built-in or stored) by id or name; NotFoundError otherwise. */
export async function requireRole(store: Store, issuer: string, nameOrId: string): Promise<RoleRecord> {
  const builtIn = builtInRoles(issuer).find((role) => role.id === nameOrId);
  if (builtIn) return builtIn;
  const role = await store.roles.find(nameOrId) ?? await store.roles.findByName(nameOrId);
  if (!role) throw new NotFoundError('role', nameOrId);
  return role;
}

/** Every role, the built-in ones first. */
export async function listRoles(store: Store, issuer: string): Promise<RoleRecord[]> {
  return [...builtInRoles(issuer), ...await store.roles.list()];
}

/**
 * Group-tree changes (a new parent) run one at a time across every node, under the store's lease:
 * two moves at once (A under B, B under A) each see no cycle, and together would make one.
 */
async function underGroupTreeLease<T>(store: Store, work: () => Promise<T>): Promise<T> {
  const holder = randomUUID();
  for (let waited = 0; !await store.leases.acquire(GROUP_TREE_LEASE, holder, LEASE_SECONDS); waited += RETRY_MS) {
    if (waited >= LEASE_SECONDS * 1000) throw new StateConflictError('another group change is still running; try again');
    await sleep(RETRY_MS);
  }
  try {
    return await work();
  } finally {
    await store.leases.release(GROUP_TREE_LEASE, holder);
  }
}

/** Refuses a parent that would make a cycle, or a chain deeper than effective access reads. */
async function checkParent(store: Store, groupId: string | undefined, parent: GroupRecord): Promise<void> {
  const chain = [parent.name];
  let current: GroupRecord | undefined = parent;
  for (let depth = 1; current; depth += 1) {
    if (current.id === groupId) {
      throw new AuthorizationError('parent', `"${parent.name}" cannot be the parent: it would make a cycle (${chain.join(' → ')})`);
    }
    if (depth >= MAX_GROUP_DEPTH) throw new AuthorizationError('parent', `groups can be nested at most ${MAX_GROUP_DEPTH} deep`);
    current = current.parentId ? await store.groups.find(current.parentId) : undefined;
    if (current) chain.push(current.name);
  }
  // The subtree below the group moves too: its depth adds to the parent's.
  if (groupId && await subtreeDepth(store, groupId) + chain.length > MAX_GROUP_DEPTH) {
    throw new AuthorizationError('parent', `groups can be nested at most ${MAX_GROUP_DEPTH} deep`);
  }
}

async function subtreeDepth(store: Store, groupId: string): Promise<number> {
  let depth = 1;
  let level = [groupId];
  while (level.length > 0 && depth <= MAX_GROUP_DEPTH + 1) {
    const children = (await Promise.all(level.map((id) => store.groups.children(id)))).flat();
    if (children.length === 0) break;
    depth += 1;
    level = children.map((child) => child.id);
  }
  return depth;
}

/** The group and every group below it: membership of any of them counts for the group. */
async function groupAndDescendants(store: Store, groupId: string): Promise<string[]> {
  const found = new Set([groupId]);
  let level = [groupId];
  for (let depth = 0; level.length > 0 && depth <= MAX_GROUP_DEPTH; depth += 1) {
    level = (await Promise.all(level.map((id) => store.groups.children(id)))).flat().map((child) => child.id).filter((id) => !found.has(id));
    for (const id of level) found.add(id);
  }
  return [...found];
}

const MEMBER_PAGE = 500;
/** People per claims-change job: small enough that one job finishes well within its lease. */
export const ANNOUNCE_BATCH = 100;

/** The account ids of the direct members of these groups, each once. */
export async function membersOf(store: Store, groupIds: readonly string[]): Promise<string[]> {
  const accounts = new Set<string>();
  for (const groupId of groupIds) {
    let after: string | undefined;
    for (;;) {
      const page = await store.groups.members(groupId, MEMBER_PAGE, after);
      for (const id of page) accounts.add(id);
      if (page.length < MEMBER_PAGE) break;
      after = page.at(-1);
    }
  }
  return [...accounts];
}

/** The people a grant to this holder reaches. Clients are not people: no signal. */
async function peopleReachedBy(store: Store, holder: RoleHolder): Promise<string[]> {
  if (holder.kind === 'user') return [holder.id];
  if (holder.kind === 'group') return membersOf(store, await groupAndDescendants(store, holder.id));
  return [];
}

/**
 * Tells shared-signals receivers each person's groups and roles as they are now, through the
 * outbox: one job per ANNOUNCE_BATCH people (the job reads each one's access when it runs), so a
 * grant to a group of thousands answers after a few writes, not after reading and writing for
 * every member (which took over five minutes for 2,000 on a Mongo-wire store).
 */
async function announceClaimsChange(admin: AuthorizationAdministration, accountIds: readonly string[], reason: string): Promise<void> {
  const txn = randomUUID();
  for (let start = 0; start < accountIds.length; start += ANNOUNCE_BATCH) {
    await admin.signals.claimsChangedFor(accountIds.slice(start, start + ANNOUNCE_BATCH), { txn, reason });
  }
}

export async function createGroup(admin: AuthorizationAdministration, group: NewGroup): Promise<GroupRecord> {
  checkName('group', group.name);
  checkDescription(group.description);
  if (await admin.store.groups.findByName(group.name)) throw new DuplicateError('group', 'name', group.name);
  const now = new Date();
  return underGroupTreeLease(admin.store, async () => {
    const parent = group.parent ? await requireGroup(admin.store, group.parent) : undefined;
    if (parent) await checkParent(admin.store, undefined, parent);
    const record: GroupRecord = {
      id: newId('grp'), name: group.name, parentId: parent?.id ?? null, description: group.description ?? null, createdAt: now, updatedAt: now,
    };
    await admin.audited({ type: 'group.created', data: { groupId: record.id, after: groupView(record) } }, () => admin.store.groups.create(record));
    return record;
  });
}

export async function updateGroup(admin: AuthorizationAdministration, group: GroupRecord, changes: GroupChanges): Promise<GroupRecord> {
  if (changes.name !== undefined) checkName('group', changes.name);
  checkDescription(changes.description);
  return underGroupTreeLease(admin.store, async () => {
    const current = await requireGroup(admin.store, group.id);
    let parentId = current.parentId;
    if (changes.parent !== undefined) {
      const parent = changes.parent === null ? undefined : await requireGroup(admin.store, changes.parent);
      if (parent) await checkParent(admin.store, current.id, parent);
      parentId = parent?.id ?? null;
    }
    const patch = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      parentId,
    };
    const after = { ...current, ...patch };
    const diff = changedFields(groupView(current), groupView(after));
    if (Object.keys(diff.after).length === 0) return current;
    const updated = await admin.audited(
      { type: 'group.updated', data: { groupId: current.id, ...diff } },
      () => admin.store.groups.update(current.id, patch),
    );
    // A new name or parent changes the `groups` claim of everyone in the group or below it.
    if ('name' in diff.after || 'parentId' in diff.after) {
      await announceClaimsChange(admin, await peopleReachedBy(admin.store, { kind: 'group', id: current.id }), 'group changed');
    }
    return updated;
  });
}

/** Removes a group with its memberships and the grants to it. A group with child groups stays: move or remove those first. */
export async function removeGroup(admin: AuthorizationAdministration, group: GroupRecord): Promise<void> {
  await underGroupTreeLease(admin.store, async () => {
    const children = await admin.store.groups.children(group.id);
    if (children.length > 0) {
      throw new StateConflictError(`group "${group.name}" has child groups (${children.map((child) => child.name).join(', ')}); move or remove them first`);
    }
    const people = await peopleReachedBy(admin.store, { kind: 'group', id: group.id });
    await admin.audited({ type: 'group.removed', data: { groupId: group.id, before: groupView(group), members: people.length } }, async () => {
      await admin.store.roles.removeHolder({ kind: 'group', id: group.id });
      await admin.store.groups.remove(group.id);
    });
    await announceClaimsChange(admin, people, 'group removed');
  });
}

/** Whether the account is directly a member: a repeat is no change, and is not recorded as one. */
async function isMember(store: Store, group: GroupRecord, account: AccountRecord): Promise<boolean> {
  return (await store.groups.groupIdsOf(account.id)).includes(group.id);
}

/** Whether the holder holds the role directly: a repeated grant or revoke is no change, and is not recorded as one. */
async function holds(store: Store, role: RoleRecord, holder: RoleHolder): Promise<boolean> {
  return (await store.roles.grantsTo([holder])).some((grant) => grant.roleId === role.id);
}

export async function addGroupMember(admin: AuthorizationAdministration, group: GroupRecord, account: AccountRecord): Promise<boolean> {
  if (await isMember(admin.store, group, account)) return false;
  const added = await admin.audited(
    { type: 'group.member_added', accountId: account.id, email: account.email, data: { groupId: group.id, group: group.name } },
    () => admin.store.groups.addMember(group.id, account.id),
  );
  if (added) await announceClaimsChange(admin, [account.id], `added to group ${group.name}`);
  return added;
}

export async function removeGroupMember(admin: AuthorizationAdministration, group: GroupRecord, account: AccountRecord): Promise<boolean> {
  if (!await isMember(admin.store, group, account)) return false;
  const removed = await admin.audited(
    { type: 'group.member_removed', accountId: account.id, email: account.email, data: { groupId: group.id, group: group.name } },
    () => admin.store.groups.removeMember(group.id, account.id),
  );
  if (removed) await announceClaimsChange(admin, [account.id], `removed from group ${group.name}`);
  return removed;
}

/** A role's permissions must be scopes of its resource; a global role has none. */
async function checkPermissions(admin: AuthorizationAdministration, resource: string | null, permissions: readonly string[]): Promise<void> {
  if (resource === null) {
    if (permissions.length > 0) throw new AuthorizationError('permissions', 'a global role has no permissions: permissions are the scopes of one API resource');
    return;
  }
  const definition = await admin.resources.find(resource);
  if (!definition) throw new AuthorizationError('resource', `there is no API resource ${resource} (see \`npx keyline resources list\`)`);
  // Keyline's own APIs have their roles built in (keyline-admin, keyline-helpdesk, keyline-viewer): a
  // custom role there would be a second, unreviewed way to the admin API's rights.
  if (definition.source === 'builtin') {
    throw new AuthorizationError('resource', `${resource} is one of Keyline's own APIs; its roles are built in (keyline-admin, keyline-helpdesk, keyline-viewer)`);
  }
  const unknown = permissions.filter((permission) => !definition.scopes.includes(permission));
  if (unknown.length > 0) {
    throw new AuthorizationError('permissions', `${unknown.map((permission) => `"${permission}"`).join(', ')} ${unknown.length === 1 ? 'is not a scope' : 'are not scopes'} of ${resource}`);
  }
}

export async function createRole(admin: AuthorizationAdministration, role: NewRole): Promise<RoleRecord> {
  checkName('role', role.name);
  checkDescription(role.description);
  const resource = role.resource ?? null;
  const permissions = [...new Set(role.permissions ?? [])];
  await checkPermissions(admin, resource, permissions);
  if (await admin.store.roles.findByName(role.name)) throw new DuplicateError('role', 'name', role.name);
  const now = new Date();
  const record: RoleRecord = {
    id: newId('rol'), name: role.name, resource, permissions, description: role.description ?? null, createdAt: now, updatedAt: now,
  };
  await admin.audited({ type: 'role.created', data: { roleId: record.id, after: roleView(record) } }, () => admin.store.roles.create(record));
  return record;
}

function refuseBuiltIn(role: RoleRecord): void {
  if (isBuiltInRoleId(role.id)) throw new StateConflictError(`"${role.name}" is one of Keyline's own roles; it cannot be changed or removed`);
}

/** The people holding a role: directly, or as members of a group (or below a group) that holds it. */
async function peopleHolding(store: Store, roleId: string): Promise<string[]> {
  const people = new Set<string>();
  for (const grant of await store.roles.grantsOf(roleId)) {
    for (const id of await peopleReachedBy(store, grant.holder)) people.add(id);
  }
  return [...people];
}

export async function updateRole(admin: AuthorizationAdministration, role: RoleRecord, changes: RoleChanges): Promise<RoleRecord> {
  refuseBuiltIn(role);
  if (changes.name !== undefined) checkName('role', changes.name);
  checkDescription(changes.description);
  const permissions = changes.permissions === undefined ? undefined : [...new Set(changes.permissions)];
  if (permissions) await checkPermissions(admin, role.resource, permissions);
  const patch = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(permissions !== undefined ? { permissions } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
  };
  const diff = changedFields(roleView(role), roleView({ ...role, ...patch }));
  if (Object.keys(diff.after).length === 0) return role;
  const updated = await admin.audited({ type: 'role.updated', data: { roleId: role.id, ...diff } }, () => admin.store.roles.update(role.id, patch));
  if ('name' in diff.after) await announceClaimsChange(admin, await peopleHolding(admin.store, role.id), `role ${role.name} changed`);
  return updated;
}

export async function removeRole(admin: AuthorizationAdministration, role: RoleRecord): Promise<void> {
  refuseBuiltIn(role);
  const people = await peopleHolding(admin.store, role.id);
  await admin.audited({ type: 'role.removed', data: { roleId: role.id, before: roleView(role) } }, () => admin.store.roles.remove(role.id));
  await announceClaimsChange(admin, people, `role ${role.name} removed`);
}

export async function grantRole(admin: AuthorizationAdministration, role: RoleRecord, holder: RoleHolder, about?: AccountRecord): Promise<boolean> {
  // A client reaches the admin API through its registered scopes; a built-in role granted to it would change nothing, and mislead.
  if (holder.kind === 'client' && isBuiltInRoleId(role.id)) {
    throw new AuthorizationError('kind', `"${role.name}" is for people and groups; a client reaches the admin API through its registered scopes (keyline clients update --scopes)`);
  }
  if (await holds(admin.store, role, holder)) return false;
  const granted = await admin.audited(
    { type: 'role.granted', accountId: about?.id ?? null, email: about?.email ?? null, data: { roleId: role.id, role: role.name, ...holderView(holder) } },
    () => admin.store.roles.grant(role.id, holder),
  );
  if (granted) await announceClaimsChange(admin, await peopleReachedBy(admin.store, holder), `role ${role.name} granted`);
  return granted;
}

export async function revokeRole(admin: AuthorizationAdministration, role: RoleRecord, holder: RoleHolder, about?: AccountRecord): Promise<boolean> {
  if (!await holds(admin.store, role, holder)) return false;
  const revoked = await admin.audited(
    { type: 'role.revoked', accountId: about?.id ?? null, email: about?.email ?? null, data: { roleId: role.id, role: role.name, ...holderView(holder) } },
    () => admin.store.roles.revoke(role.id, holder),
  );
  if (revoked) await announceClaimsChange(admin, await peopleReachedBy(admin.store, holder), `role ${role.name} revoked`);
  return revoked;
}

/** When an account is removed: its memberships and direct grants go with it (no signal: the account is gone). */
export async function forgetAccountAccess(store: Store, accountId: string): Promise<void> {
  await store.groups.removeAccount(accountId);
  await store.roles.removeHolder({ kind: 'user', id: accountId });
}

/** When a client is removed: the roles granted to it go with it. */
export async function forgetClientAccess(store: Store, clientId: string): Promise<void> {
  await store.roles.removeHolder({ kind: 'client', id: clientId });
}

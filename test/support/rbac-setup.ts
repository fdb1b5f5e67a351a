/**
 * Groups, roles and grants for tests of what reaches tokens, made through the one administration
 * path (src/authorization/authorization-administration.ts) that the admin API and the CLI call,
 * against the running Keyline's store: audited, and announced to shared-signals receivers.
 */
import { auditedChange } from '../../src/audit/audited-change.ts';
import {
  addGroupMember, createGroup, createRole, grantRole, requireGroup, requireRole, revokeRole, type AuthorizationAdministration,
} from '../../src/authorization/authorization-administration.ts';
import type { GroupRecord, RoleHolder, RoleRecord } from '../../src/store/store.ts';
import type { RunningKeyline } from './start-keyline.ts';

function administration(kl: RunningKeyline): AuthorizationAdministration {
  return {
    store: kl.store,
    issuer: kl.url,
    resources: kl.keyline.resources,
    audited: (event, change) => auditedChange(kl.keyline.securityEvents, { ...event, actor: 'cli:test' }, change),
    signals: kl.keyline.signals,
  };
}

export function addGroup(kl: RunningKeyline, name: string, parent?: string): Promise<GroupRecord> {
  return createGroup(administration(kl), { name, parent: parent ?? null });
}

export async function addMember(kl: RunningKeyline, group: string, accountId: string): Promise<void> {
  const account = await kl.store.accounts.findById(accountId);
  if (!account) throw new Error(`no account ${accountId}`);
  await addGroupMember(administration(kl), await requireGroup(kl.store, group), account);
}

export function addRole(kl: RunningKeyline, name: string, resource: string, permissions: string[]): Promise<RoleRecord> {
  return createRole(administration(kl), { name, resource, permissions });
}

export type Holder = { user: string } | { group: string } | { client: string };

async function holderOf(kl: RunningKeyline, holder: Holder): Promise<RoleHolder> {
  if ('user' in holder) return { kind: 'user', id: holder.user };
  if ('client' in holder) return { kind: 'client', id: holder.client };
  return { kind: 'group', id: (await requireGroup(kl.store, holder.group)).id };
}

/** Grants a role (stored or built in, by name) to a person (account id), a group (name) or a client (id). */
export async function grant(kl: RunningKeyline, role: string, holder: Holder): Promise<void> {
  const about = 'user' in holder ? await kl.store.accounts.findById(holder.user) : undefined;
  await grantRole(administration(kl), await requireRole(kl.store, kl.url, role), await holderOf(kl, holder), about);
}

/** Revokes it; resolves once the store has the revocation (what an admin API or CLI answer means). */
export async function revoke(kl: RunningKeyline, role: string, holder: Holder): Promise<void> {
  const about = 'user' in holder ? await kl.store.accounts.findById(holder.user) : undefined;
  await revokeRole(administration(kl), await requireRole(kl.store, kl.url, role), await holderOf(kl, holder), about);
}

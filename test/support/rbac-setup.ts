/**
 * Groups, roles and grants for tests of what reaches tokens, made as an operator's automation
 * would: over HTTP through the admin API (/admin/v1/groups, /admin/v1/roles), with one admin
 * client per running Keyline. Each call resolves once the admin API has answered, which is when
 * the change is in the store (and announced to shared-signals receivers).
 */
import { AdminSession } from './admin-api.ts';
import type { RunningKeyline } from './start-keyline.ts';

const sessions = new WeakMap<RunningKeyline, Promise<AdminSession>>();

function adminOf(kl: RunningKeyline): Promise<AdminSession> {
  let session = sessions.get(kl);
  if (!session) {
    session = AdminSession.open(kl);
    sessions.set(kl, session);
  }
  return session;
}

const segment = encodeURIComponent;

export async function addGroup(kl: RunningKeyline, name: string, parent?: string): Promise<void> {
  await (await adminOf(kl)).expect(201, 'POST', '/groups', { name, ...(parent ? { parent } : {}) });
}

export async function addMember(kl: RunningKeyline, group: string, accountId: string): Promise<void> {
  await (await adminOf(kl)).expect(204, 'PUT', `/groups/${segment(group)}/members/${segment(accountId)}`);
}

export async function addRole(kl: RunningKeyline, name: string, resource: string, permissions: string[]): Promise<void> {
  await (await adminOf(kl)).expect(201, 'POST', '/roles', { name, resource, permissions });
}

/** A person (account id), a group (name) or a machine client (client id). */
export type Holder = { user: string } | { group: string } | { client: string };

function kindAndId(holder: Holder): { kind: 'user' | 'group' | 'client'; id: string } {
  if ('user' in holder) return { kind: 'user', id: holder.user };
  if ('client' in holder) return { kind: 'client', id: holder.client };
  return { kind: 'group', id: holder.group };
}

/** Grants a role (stored or built in, by name). */
export async function grant(kl: RunningKeyline, role: string, holder: Holder): Promise<void> {
  await (await adminOf(kl)).expect(201, 'POST', `/roles/${segment(role)}/grants`, kindAndId(holder));
}

/** Revokes it; resolves when the admin API has answered, i.e. once the store has the revocation. */
export async function revoke(kl: RunningKeyline, role: string, holder: Holder): Promise<void> {
  const { kind, id } = kindAndId(holder);
  await (await adminOf(kl)).expect(204, 'DELETE', `/roles/${segment(role)}/grants/${kind}/${segment(id)}`);
}

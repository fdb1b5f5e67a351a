import { randomUUID } from 'node:crypto';
import { hasPassword } from '../accounts/no-password.ts';
import type { AccountRecord, FederatedIdentityRecord, Store } from '../store/store.ts';

/** A linked identity as the account page and the admin API show it (the subject is the person's own id there, not a secret). */
export interface LinkedIdentityView {
  upstreamId: string;
  /** The upstream's display name (its id when it was removed meanwhile). */
  upstream: string;
  subject: string;
  linkedAt: Date;
  lastSignInAt: Date | null;
}

export async function linkedIdentities(store: Store, accountId: string): Promise<LinkedIdentityView[]> {
  const links = await store.federatedIdentities.listByAccount(accountId);
  const names = new Map((await store.upstreams.list()).map((upstream) => [upstream.id, upstream.name]));
  return links.map((link) => ({
    upstreamId: link.upstreamId, upstream: names.get(link.upstreamId) ?? link.upstreamId, subject: link.subject,
    linkedAt: link.linkedAt, lastSignInAt: link.lastSignInAt,
  }));
}

/**
 * The ways into an account: its password, its passkeys (they sign in alone), and its links;
 * `usable` are the links through an enabled upstream (a disabled one signs no one in).
 */
async function waysIn(store: Store, account: AccountRecord): Promise<{ others: number; links: FederatedIdentityRecord[]; usable: (link: FederatedIdentityRecord) => boolean }> {
  const [factors, links, upstreams] = await Promise.all([
    store.factors.listByAccount(account.id), store.federatedIdentities.listByAccount(account.id), store.upstreams.list(),
  ]);
  const passkeys = factors.filter((factor) => factor.type === 'webauthn').length;
  const enabled = new Set(upstreams.filter((upstream) => upstream.enabled).map((upstream) => upstream.id));
  return { others: (hasPassword(account) ? 1 : 0) + passkeys, links, usable: (link) => enabled.has(link.upstreamId) };
}

export type UnlinkOutcome = 'unlinked' | 'not_found' | 'last_way' | 'busy';

const leaseName = (accountId: string) => `sign-in-methods:${accountId}`;
const LEASE_SECONDS = 10;

/**
 * Runs a removal of one of the account's ways in while no other runs (across nodes); 'busy' when
 * one does. Removals that check "another way remains" take it, so two at once cannot both pass.
 */
async function underSignInMethodsLease<T>(store: Store, accountId: string, work: () => Promise<T>): Promise<T | 'busy'> {
  const holder = randomUUID();
  if (!await store.leases.acquire(leaseName(accountId), holder, LEASE_SECONDS)) return 'busy';
  try {
    return await work();
  } finally {
    await store.leases.release(leaseName(accountId), holder);
  }
}

/**
 * Removes a passkey of an account without a password, unless it is the last way in (no other
 * passkey, no link): 'last_way'. Accounts with a password remove factors as before.
 */
export async function removeLastPasskeyGuarded(store: Store, account: AccountRecord, remove: () => Promise<void>): Promise<'removed' | 'last_way' | 'busy'> {
  return underSignInMethodsLease(store, account.id, async () => {
    const { others, links, usable } = await waysIn(store, account);
    if (others - 1 + links.filter(usable).length < 1) return 'last_way';
    await remove();
    return 'removed';
  });
}

/**
 * Removes one of the account's links. The person may do it only while another way in remains (a
 * password, a passkey, another link); an administrator may remove the last one (`allowLast`: the
 * account then needs a password reset or a new link). Unlinks of one account run one at a time
 * across nodes under a lease, so two at once of the last two links cannot both pass the check; the
 * one that finds the lease taken is told to try again (`busy`) rather than wait.
 */
export async function unlinkIdentity(
  store: Store, account: AccountRecord, upstreamId: string, subject: string, { allowLast = false }: { allowLast?: boolean } = {},
): Promise<UnlinkOutcome> {
  return underSignInMethodsLease(store, account.id, async () => {
    const { others, links, usable } = await waysIn(store, account);
    const target = links.find((link) => link.upstreamId === upstreamId && link.subject === subject);
    if (!target) return 'not_found';
    // Refused when it takes away the last way in that works (removing one that does not work takes none away).
    const left = others + links.filter((link) => link !== target && usable(link)).length;
    if (!allowLast && left === 0 && (usable(target) || links.length <= 1)) return 'last_way';
    return await store.federatedIdentities.remove(upstreamId, subject) ? 'unlinked' : 'not_found';
  });
}

import { normalizeEmail, type AccountsService } from '../accounts/accounts-service.ts';
import { PendingSignUps } from '../accounts/self-service/pending-sign-ups.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { AccountRecord, FederatedIdentityRecord, Store, UpstreamRecord } from '../store/store.ts';
import { federatedAccountId } from './federated-account-id.ts';
import type { UpstreamIdentity } from './upstream.ts';

/** Why an upstream identity gets no account here; each has its own words on the page. */
export type UpstreamRefusal =
  /** Linked, but the account is disabled: refused like a local sign-in. */
  | 'disabled'
  /** `provisioning: deny` and no link. */
  | 'not_provisioned'
  /** `provisioning: link-only` and no account to link to. */
  | 'no_account'
  /** `provisioning: create`, but the upstream gave no email (an account needs one; no placeholder). */
  | 'no_email'
  /** An account has this email, but the upstream does not vouch for it: it never links by email. */
  | 'unverified_email';

export type UpstreamAccountOutcome =
  | { kind: 'account'; account: AccountRecord; link: FederatedIdentityRecord; accountCreated: boolean; linkCreated: boolean }
  /** A local account has the verified email: it is linked only after the person proves it. */
  | { kind: 'prove-local-account'; account: AccountRecord }
  | { kind: 'refused'; refusal: UpstreamRefusal };

interface Parties {
  store: Store;
  accounts: AccountsService;
}

/**
 * The upstream vouches for the address it sent, not for another one: lower-casing folds some
 * non-ASCII letters into ASCII ones (the Kelvin sign into "k"), which would make a verified address
 * of someone else's. Only a change of ASCII case keeps the vouching.
 */
function vouchesFor(identity: UpstreamIdentity, email: string): boolean {
  return identity.emailVerified && email === identity.email!.trim().replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

async function signInThrough(parties: Parties, link: FederatedIdentityRecord): Promise<UpstreamAccountOutcome | undefined> {
  const account = await parties.accounts.findById(link.accountId);
  if (!account) return undefined;
  if (account.disabled) return { kind: 'refused', refusal: 'disabled' };
  return { kind: 'account', account, link, accountCreated: false, linkCreated: false };
}

/**
 * Which Keyline account an upstream identity is, by the linking rules:
 * 1. a link (upstream, subject) names it — the subject, never the email, identifies the person;
 * 2. otherwise an account with the same email is linked only after the person proves it, and only
 *    when the upstream vouches for the email (`emailVerified`); an unvouched email never links;
 * 3. otherwise `provisioning` decides: `create` makes a password-less account just-in-time,
 *    `link-only` and `deny` refuse.
 *
 * Exactly once across nodes: the new account's id is derived from (upstream, subject), and the link
 * is written first (create-or-get), then the account (create-or-get by that id). Every concurrent
 * first sign-in of one identity writes the same link and the same account; a lost race finds what
 * the winner wrote. Should the email be taken by another account in between, the link this call
 * wrote is taken back and rule 2 applies.
 */
export async function resolveUpstreamAccount(
  parties: Parties, upstream: UpstreamRecord, identity: UpstreamIdentity, details: { name?: string | null } = {},
): Promise<UpstreamAccountOutcome> {
  const { store, accounts } = parties;
  const provisionedId = federatedAccountId(upstream.id, identity.subject);
  const linked = await store.federatedIdentities.find(upstream.id, identity.subject);
  if (linked) {
    const outcome = await signInThrough(parties, linked);
    if (outcome) return outcome;
    // A link to the account a concurrent first sign-in is making (link first, account next) is
    // left alone: provisioning below finds it. Any other link to a missing account identifies no one.
    if (linked.accountId !== provisionedId) await store.federatedIdentities.remove(upstream.id, identity.subject);
  }
  const email = identity.email ? normalizeEmail(identity.email) : null;
  const vouched = email !== null && vouchesFor(identity, email);
  const existing = email ? await accounts.findByEmail(email) : undefined;
  if (existing) {
    // A concurrent first sign-in of this same identity may have provisioned it a moment ago.
    const raced = await store.federatedIdentities.find(upstream.id, identity.subject);
    const outcome = raced && await signInThrough(parties, raced);
    if (outcome) return outcome;
    if (upstream.provisioning === 'deny') return { kind: 'refused', refusal: 'not_provisioned' };
    if (!vouched) return { kind: 'refused', refusal: 'unverified_email' };
    return { kind: 'prove-local-account', account: existing };
  }
  if (upstream.provisioning === 'deny') return { kind: 'refused', refusal: 'not_provisioned' };
  if (upstream.provisioning === 'link-only') return { kind: 'refused', refusal: 'no_account' };
  if (!email) return { kind: 'refused', refusal: 'no_email' };

  const accountId = provisionedId;
  const { identity: link, created: linkCreated } = await store.federatedIdentities.link({
    upstreamId: upstream.id, subject: identity.subject, accountId, linkedAt: new Date(), lastSignInAt: null,
  });
  if (link.accountId !== accountId) {
    // Linked to another account meanwhile (a link step finished at the same moment): that link wins.
    return await signInThrough(parties, link) ?? { kind: 'refused', refusal: 'no_account' };
  }
  try {
    const account = await accounts.createWithoutPassword(accountId, email, { emailVerified: vouched, name: details.name ?? null });
    // An address the upstream does not vouch for is held like an unverified sign-up's: when its
    // owner proves the mailbox (reset, verification) they take the account over, link and all.
    if (!vouched) await new PendingSignUps(store).mark(account.id);
    return { kind: 'account', account, link, accountCreated: true, linkCreated };
  } catch (error) {
    if (!(error instanceof DuplicateError)) throw error;
  }
  const account = await accounts.findById(accountId);
  if (account && account.email !== email) {
    // The derived id holds an account this first sign-in did not make: its link was removed (by its
    // owner, an administrator, or with the upstream) and the upstream's address changed, or another
    // provider now answers under this upstream's id. The id is no way back in: the unlink stands.
    if (linkCreated) await store.federatedIdentities.remove(upstream.id, identity.subject);
    return { kind: 'refused', refusal: 'no_account' };
  }
  if (account) {
    if (account.disabled) return { kind: 'refused', refusal: 'disabled' };
    return { kind: 'account', account, link, accountCreated: false, linkCreated };
  }
  // The email went to another account between the look-up and the write: no orphan link stays.
  await store.federatedIdentities.remove(upstream.id, identity.subject);
  return resolveUpstreamAccount(parties, upstream, identity, details);
}

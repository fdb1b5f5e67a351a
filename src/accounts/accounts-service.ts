import { randomUUID } from 'node:crypto';
import { forgetAccountAccess } from '../authorization/authorization-administration.ts';
import { Outbox } from '../jobs/outbox.ts';
import { SecuritySignals, type CredentialChange, type InitiatingEntity } from '../signals/security-signals.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AccountAttributes, AccountRecord, Store } from '../store/store.ts';
import { AccountError } from './account-errors.ts';
import { changeProfile, type AccountProfile, type ProfileChange } from './profile-claims.ts';
import { factorView, type FactorView } from './account-view.ts';
import { factorCredentialChange } from './factors/factor-credential-change.ts';
import { listSessions, type SessionSummary } from './account-sessions.ts';
import type { CredentialThrottle } from './throttle/credential-throttle.ts';
import { hashForUnknownAccounts, hashPassword, verifyPassword } from './password-hashing.ts';
import { hasPassword, NO_PASSWORD } from './no-password.ts';
import { passwordProblem } from './password-policy.ts';
import { SessionEndings } from './session-endings.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Writers of one account's attributes at once each win within a few rounds; this many means something is wrong. */
const MAX_ATTRIBUTE_WRITE_ATTEMPTS = 50;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** What a new account may carry besides its email, password and name. */
export interface NewAccountDetails {
  profile?: ProfileChange;
  /** An administrator vouches for the address. */
  emailVerified?: boolean;
  /** Custom attributes, already checked against their declarations (authorization/attributes.ts). */
  attributes?: AccountAttributes;
}

/** Each problem changeProfile names starts with the claim it is about ("birthdate: must be ..."). */
function profileError(problems: string[]): AccountError {
  return new AccountError(problems.join('; '), { fields: problems.map((problem) => problem.slice(0, problem.indexOf(':'))) });
}

function profileUpdate(account: AccountRecord, change: ProfileChange & { name?: string | null }): { profile: AccountProfile; name: string | null } {
  const { profile, problems } = changeProfile(account.profile, change);
  if (problems.length) throw profileError(problems);
  return { profile, name: change.name === undefined ? account.name : (change.name?.trim() || null) };
}

/** What removing an account or resetting its second factors took with it. */
export interface RemovalCounts {
  /** Sessions, grants, codes and tokens. */
  sessionRecords: number;
  factors: number;
}

/** Runs password hashing inside a trace span when tracing is on (argon2 is the costliest step of a login). */
export type HashingSpan = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/**
 * Users: creation, credential checks, and the changes that must end their sessions. Every ending
 * and credential change is announced through the outbox (back-channel logout, shared signals).
 */
export class AccountsService {
  readonly #store: Store;
  readonly #throttle: CredentialThrottle;
  readonly #span: HashingSpan;
  readonly #endings: SessionEndings;
  readonly #signals: SecuritySignals;

  constructor(store: Store, throttle: CredentialThrottle, span: HashingSpan = (_name, work) => work(), outbox: Outbox = new Outbox(store.jobs)) {
    this.#store = store;
    this.#throttle = throttle;
    this.#span = span;
    this.#endings = new SessionEndings(store.oidc, outbox);
    this.#signals = new SecuritySignals(outbox);
  }

  /** Where every session ending goes through (also used by oidc-provider's logout and reuse detection). */
  get sessionEndings(): SessionEndings {
    return this.#endings;
  }

  /** The checks `create` makes, for callers that must know before they record the change (the audit trail). */
  checkNewAccount(email: string, password: string, details: NewAccountDetails = {}): AccountProfile {
    if (!EMAIL_SHAPE.test(normalizeEmail(email))) throw new AccountError(`"${email}" is not an email address`, { fields: ['email'] });
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem, { fields: ['password'] });
    const { profile, problems } = changeProfile({}, details.profile ?? {});
    if (problems.length) throw profileError(problems);
    return profile;
  }

  async create(
    email: string, password: string, name: string | null = null, id: string = randomUUID(), details: NewAccountDetails = {},
  ): Promise<AccountRecord> {
    const normalized = normalizeEmail(email);
    const profile = this.checkNewAccount(email, password, details);
    const now = new Date();
    const account: AccountRecord = {
      id,
      email: normalized,
      emailVerified: details.emailVerified === true,
      name: name?.trim() || null,
      profile,
      passwordHash: await this.#span('password.hash', () => hashPassword(password)),
      disabled: false,
      ...(details.attributes && Object.keys(details.attributes).length ? { attributes: details.attributes } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await this.#store.accounts.create(account);
    return account;
  }

  /**
   * An account with no password (just-in-time from an upstream identity): it signs in through its
   * links (or a passkey) until its owner sets a password. Throws DuplicateError when the id or
   * the email is taken.
   */
  async createWithoutPassword(id: string, email: string, details: NewAccountDetails & { name?: string | null } = {}): Promise<AccountRecord> {
    const normalized = normalizeEmail(email);
    if (!EMAIL_SHAPE.test(normalized)) throw new AccountError(`"${email}" is not an email address`, { fields: ['email'] });
    const { profile, problems } = changeProfile({}, details.profile ?? {});
    if (problems.length) throw profileError(problems);
    const now = new Date();
    const account: AccountRecord = {
      id, email: normalized, emailVerified: details.emailVerified === true, name: details.name?.trim() || null, profile,
      passwordHash: NO_PASSWORD, disabled: false,
      ...(details.attributes && Object.keys(details.attributes).length ? { attributes: details.attributes } : {}),
      createdAt: now, updatedAt: now,
    };
    await this.#store.accounts.create(account);
    return account;
  }

  findById(id: string): Promise<AccountRecord | undefined> {
    return this.#store.accounts.findById(id);
  }

  findByEmail(email: string): Promise<AccountRecord | undefined> {
    return this.#store.accounts.findByEmail(normalizeEmail(email));
  }

  /**
   * Returns the account when the password is right and the account is enabled.
   * An unknown email still costs one argon2 verification, so timing does not reveal which emails exist.
   */
  async authenticate(email: string, password: string): Promise<AccountRecord | undefined> {
    const account = await this.findByEmail(email);
    // An account without a password costs the same verification as an unknown one, and never matches.
    const hash = account && hasPassword(account) ? account.passwordHash : await hashForUnknownAccounts();
    const valid = await this.#span('password.verify', () => verifyPassword(hash, password)) && account !== undefined && hasPassword(account);
    if (!account || !valid || account.disabled) return undefined;
    return account;
  }

  async requireByEmail(email: string): Promise<AccountRecord> {
    const account = await this.findByEmail(email);
    if (!account) throw new AccountError(`no user with email ${normalizeEmail(email)}`);
    return account;
  }

  /**
   * Sets a new password, ends every session and grant of the account at once, and lifts its locks.
   * `initiator` is who asked: an administrator (the CLI) or the user (the account page, a reset).
   * A change on the account page keeps the session it was made in (`keptSessionUid`).
   */
  async setPassword(email: string, password: string, initiator: InitiatingEntity = 'admin', keptSessionUid?: string): Promise<AccountRecord> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem, { fields: ['password'] });
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { passwordHash: await this.#span('password.hash', () => hashPassword(password)) });
    const txn = randomUUID();
    const ending = { reason: 'password-changed', initiator, txn } as const;
    await (keptSessionUid ? this.#endings.endOthers(account.id, keptSessionUid, ending) : this.#endings.endAll(account.id, ending));
    await this.#signals.credentialChanged(account.id, { credentialType: 'password', changeType: 'update', initiator, txn });
    await this.#throttle.unlock(account.email, account.id);
    return updated;
  }

  /** Disabling ends every session and grant at once; enabling lifts the account's locks too. */
  async setDisabled(email: string, disabled: boolean): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { disabled });
    const txn = randomUUID();
    if (disabled) await this.#endings.endAll(account.id, { reason: 'account-disabled', initiator: 'admin', txn });
    else await this.#throttle.unlock(account.email, account.id);
    if (account.disabled !== disabled) {
      await (disabled ? this.#signals.accountDisabled(account.id, { txn }) : this.#signals.accountEnabled(account.id, { txn }));
    }
    return updated;
  }

  /**
   * A credential other than the password was added, changed or removed (a second factor, a
   * passkey, recovery codes): receivers of shared signals get a CAEP credential-change.
   */
  credentialChanged(accountId: string, change: CredentialChange): Promise<void> {
    return this.#signals.credentialChanged(accountId, change);
  }

  /** Changes the name and standard claims; every invalid value is named and nothing changes then. */
  async updateProfile(email: string, change: ProfileChange & { name?: string | null }): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    return this.#store.accounts.update(account.id, profileUpdate(account, change));
  }

  /** The account as updateProfile would leave it, without storing anything; throws what updateProfile would. */
  previewProfile(account: AccountRecord, change: ProfileChange & { name?: string | null }): AccountRecord {
    return { ...account, ...profileUpdate(account, change) };
  }

  /** Replaces the custom attributes with these, already checked against their declarations (authorization/attributes.ts). */
  setAttributes(accountId: string, attributes: AccountAttributes): Promise<AccountRecord> {
    return this.#store.accounts.update(accountId, { attributes });
  }

  /**
   * Applies a change to the custom attributes as they are when it is written (compare and set, read
   * again when another writer came first), so saves of different attributes at once keep every one.
   * `change` checks the values (authorization/attributes.ts) and may throw.
   */
  async changeAttributes(accountId: string, change: (current: AccountAttributes) => AccountAttributes): Promise<AccountRecord> {
    for (let attempt = 0; attempt < MAX_ATTRIBUTE_WRITE_ATTEMPTS; attempt += 1) {
      const account = await this.#store.accounts.findById(accountId);
      if (!account) throw new NotFoundError('account', accountId);
      const current = account.attributes ?? {};
      const next = change(current);
      if (JSON.stringify(next) === JSON.stringify(current)) return account;
      if (await this.#store.accounts.replaceAttributes(accountId, current, next)) {
        const { attributes: _replaced, ...rest } = account;
        return Object.keys(next).length ? { ...rest, attributes: next } : rest;
      }
    }
    throw new StateConflictError('the attributes kept changing while this change was saved; try again');
  }

  /** For an address proven by its owner, or vouched for by an administrator. */
  async markEmailVerified(email: string, verified = true): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    return this.#store.accounts.update(account.id, { emailVerified: verified });
  }

  /**
   * Forgets the failed sign-in attempts and locks for this email from every IP. Works for an
   * address without an account too (throttling counts what was typed), so it never reveals one.
   */
  async unlock(email: string): Promise<string> {
    const subject = normalizeEmail(email);
    await this.#throttle.unlock(subject, (await this.findByEmail(subject))?.id);
    return subject;
  }

  /** Destroys every session, grant, code and token of the account (telling its clients). Returns how many records went. */
  signOutEverywhere(accountId: string, initiator: InitiatingEntity = 'admin'): Promise<number> {
    return this.#endings.endAll(accountId, { reason: 'revoked', initiator });
  }

  /** Ends one session (by the uid `keyline sessions list` shows) and its grants; false when the account has no such session. */
  endSession(accountId: string, sessionUid: string, initiator: InitiatingEntity = 'admin'): Promise<boolean> {
    return this.#endings.endOne(accountId, sessionUid, initiator);
  }

  /** Ends every session but `keptSessionUid` and every grant it does not hold ("sign out everywhere else"). */
  endOtherSessions(accountId: string, keptSessionUid: string): Promise<number> {
    return this.#endings.endOthers(accountId, keptSessionUid, { reason: 'revoked', initiator: 'user' });
  }

  /** Takes back everything one client was given for the account, and its remembered consent. */
  async removeClientAccess(accountId: string, clientId: string): Promise<{ consentRemoved: boolean; grantsEnded: number }> {
    const consentRemoved = await this.#store.consents.remove(accountId, clientId);
    const grantsEnded = await this.#endings.endForClient(accountId, clientId, 'user');
    return { consentRemoved, grantsEnded };
  }

  /** The account's second factors (never their secrets) and how many recovery codes are left. */
  async secondFactors(accountId: string): Promise<{ factors: FactorView[]; recoveryCodesUnused: number }> {
    const [factors, recoveryCodesUnused] = await Promise.all([
      this.#store.factors.listByAccount(accountId),
      this.#store.recoveryCodes.countUnused(accountId),
    ]);
    return { factors: factors.map(factorView), recoveryCodesUnused };
  }

  listSessions(accountId: string): Promise<SessionSummary[]> {
    return listSessions(this.#store.oidc, accountId);
  }

  /**
   * Removes the account and everything that hangs off it: sessions, grants and tokens, second
   * factors, recovery codes, remembered consents, group memberships and role grants, and sign-in
   * counters. The account goes first, so nothing can sign in to it while the rest is removed.
   * Nothing is left under its id.
   */
  async remove(email: string, initiator: InitiatingEntity = 'admin'): Promise<RemovalCounts> {
    const account = await this.requireByEmail(email);
    if (!await this.#store.accounts.remove(account.id)) throw new AccountError(`no user with email ${account.email}`);
    const sessionRecords = await this.signOutEverywhere(account.id, initiator);
    const factors = await this.#store.factors.removeAllForAccount(account.id);
    await this.#store.recoveryCodes.removeAllForAccount(account.id);
    await this.#store.consents.removeForAccount(account.id);
    await forgetAccountAccess(this.#store, account.id);
    await this.#store.federatedIdentities.removeAccount(account.id);
    await this.#throttle.unlock(account.email, account.id);
    return { sessionRecords, factors };
  }

  /**
   * For a user who lost their second factors: removes every factor and recovery code, and signs
   * them out everywhere, so the next sign-in is with the password alone (and may enrol again).
   */
  async resetSecondFactors(email: string): Promise<RemovalCounts> {
    const account = await this.requireByEmail(email);
    const removed = await this.#store.factors.listByAccount(account.id);
    const factors = await this.#store.factors.removeAllForAccount(account.id);
    await this.#store.recoveryCodes.removeAllForAccount(account.id);
    const sessionRecords = await this.signOutEverywhere(account.id);
    for (const factor of removed) await this.credentialChanged(account.id, factorCredentialChange(factor, 'delete', 'admin'));
    return { sessionRecords, factors };
  }
}

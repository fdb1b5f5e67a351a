import { randomUUID } from 'node:crypto';
import type { AccountRecord, Store } from '../store/store.ts';
import { AccountError } from './account-errors.ts';
import { changeProfile, type AccountProfile, type ProfileChange } from './profile-claims.ts';
import { factorView, type FactorView } from './account-view.ts';
import { listSessions, revokeSession, type SessionSummary } from './account-sessions.ts';
import type { CredentialThrottle } from './throttle/credential-throttle.ts';
import { hashForUnknownAccounts, hashPassword, verifyPassword } from './password-hashing.ts';
import { passwordProblem } from './password-policy.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** What a new account may carry besides its email, password and name. */
export interface NewAccountDetails {
  profile?: ProfileChange;
  /** An administrator vouches for the address. */
  emailVerified?: boolean;
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

/** Users: creation, credential checks, and the changes that must end their sessions. */
export class AccountsService {
  readonly #store: Store;
  readonly #throttle: CredentialThrottle;
  readonly #span: HashingSpan;

  constructor(store: Store, throttle: CredentialThrottle, span: HashingSpan = (_name, work) => work()) {
    this.#store = store;
    this.#throttle = throttle;
    this.#span = span;
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
      createdAt: now,
      updatedAt: now,
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
    const hash = account?.passwordHash ?? await hashForUnknownAccounts();
    const valid = await this.#span('password.verify', () => verifyPassword(hash, password));
    if (!account || !valid || account.disabled) return undefined;
    return account;
  }

  async requireByEmail(email: string): Promise<AccountRecord> {
    const account = await this.findByEmail(email);
    if (!account) throw new AccountError(`no user with email ${normalizeEmail(email)}`);
    return account;
  }

  /** Sets a new password, ends every session and grant of the account at once, and lifts its locks. */
  async setPassword(email: string, password: string): Promise<AccountRecord> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem, { fields: ['password'] });
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { passwordHash: await this.#span('password.hash', () => hashPassword(password)) });
    await this.signOutEverywhere(account.id);
    await this.#throttle.unlock(account.email);
    return updated;
  }

  /** Disabling ends every session and grant at once; enabling lifts the account's locks too. */
  async setDisabled(email: string, disabled: boolean): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { disabled });
    if (disabled) await this.signOutEverywhere(account.id);
    else await this.#throttle.unlock(account.email);
    return updated;
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
    await this.#throttle.unlock(subject);
    return subject;
  }

  /** Destroys every session, grant, code and token of the account. Returns how many records went. */
  signOutEverywhere(accountId: string): Promise<number> {
    return this.#store.oidc.destroyByAccount(accountId);
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

  /** Ends one session and what was granted through it; false when the account has no such session. */
  revokeSession(accountId: string, sessionUid: string): Promise<boolean> {
    return revokeSession(this.#store.oidc, accountId, sessionUid);
  }

  /**
   * Removes the account and everything that hangs off it: sessions, grants and tokens, second
   * factors, recovery codes, remembered consents and sign-in counters. The account goes first, so
   * nothing can sign in to it while the rest is removed. Nothing is left under its id.
   */
  async remove(email: string): Promise<RemovalCounts> {
    const account = await this.requireByEmail(email);
    if (!await this.#store.accounts.remove(account.id)) throw new AccountError(`no user with email ${account.email}`);
    const sessionRecords = await this.signOutEverywhere(account.id);
    const factors = await this.#store.factors.removeAllForAccount(account.id);
    await this.#store.recoveryCodes.removeAllForAccount(account.id);
    await this.#store.consents.removeForAccount(account.id);
    await this.#throttle.unlock(account.email);
    return { sessionRecords, factors };
  }

  /**
   * For a user who lost their second factors: removes every factor and recovery code, and signs
   * them out everywhere, so the next sign-in is with the password alone (and may enrol again).
   */
  async resetSecondFactors(email: string): Promise<RemovalCounts> {
    const account = await this.requireByEmail(email);
    const factors = await this.#store.factors.removeAllForAccount(account.id);
    await this.#store.recoveryCodes.removeAllForAccount(account.id);
    const sessionRecords = await this.signOutEverywhere(account.id);
    return { sessionRecords, factors };
  }
}

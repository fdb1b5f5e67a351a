import { randomUUID } from 'node:crypto';
import { Outbox } from '../jobs/outbox.ts';
import { SecuritySignals, type CredentialChange, type InitiatingEntity } from '../signals/security-signals.ts';
import type { AccountRecord, Store } from '../store/store.ts';
import { AccountError } from './account-errors.ts';
import { changeProfile, type ProfileChange } from './profile-claims.ts';
import type { CredentialThrottle } from './throttle/credential-throttle.ts';
import { hashForUnknownAccounts, hashPassword, verifyPassword } from './password-hashing.ts';
import { passwordProblem } from './password-policy.ts';
import { SessionEndings } from './session-endings.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

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

  async create(email: string, password: string, name: string | null = null, id: string = randomUUID()): Promise<AccountRecord> {
    const normalized = normalizeEmail(email);
    if (!EMAIL_SHAPE.test(normalized)) throw new AccountError(`"${email}" is not an email address`);
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem);
    const now = new Date();
    const account: AccountRecord = {
      id,
      email: normalized,
      emailVerified: false,
      name,
      profile: {},
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

  /**
   * Sets a new password, ends every session and grant of the account at once, and lifts its locks.
   * `initiator` is who asked: an administrator (the CLI) or the user (the account page, a reset).
   */
  async setPassword(email: string, password: string, initiator: InitiatingEntity = 'admin'): Promise<AccountRecord> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem);
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { passwordHash: await this.#span('password.hash', () => hashPassword(password)) });
    const txn = randomUUID();
    await this.#endings.endAll(account.id, { reason: 'password-changed', initiator, txn });
    await this.#signals.credentialChanged(account.id, { credentialType: 'password', changeType: 'update', initiator, txn });
    await this.#throttle.unlock(account.email);
    return updated;
  }

  /** Disabling ends every session and grant at once; enabling lifts the account's locks too. */
  async setDisabled(email: string, disabled: boolean): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { disabled });
    const txn = randomUUID();
    if (disabled) await this.#endings.endAll(account.id, { reason: 'account-disabled', initiator: 'admin', txn });
    else await this.#throttle.unlock(account.email);
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
    const { profile, problems } = changeProfile(account.profile, change);
    if (problems.length) throw new AccountError(problems.join('; '));
    const name = change.name === undefined ? account.name : (change.name?.trim() || null);
    return this.#store.accounts.update(account.id, { profile, name });
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

  /** Destroys every session, grant, code and token of the account (telling its clients). Returns how many records went. */
  signOutEverywhere(accountId: string, initiator: InitiatingEntity = 'admin'): Promise<number> {
    return this.#endings.endAll(accountId, { reason: 'revoked', initiator });
  }

  /** Ends one session (by the uid `keyline sessions list` shows) and its grants; false when the account has no such session. */
  endSession(accountId: string, sessionUid: string, initiator: InitiatingEntity = 'admin'): Promise<boolean> {
    return this.#endings.endOne(accountId, sessionUid, initiator);
  }
}

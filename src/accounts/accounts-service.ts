import { randomUUID } from 'node:crypto';
import type { AccountRecord, Store } from '../store/store.ts';
import { AccountError } from './account-errors.ts';
import { hashForUnknownAccounts, hashPassword, verifyPassword } from './password-hashing.ts';
import { passwordProblem } from './password-policy.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** Users: creation, credential checks, and the changes that must end their sessions. */
/** Runs password hashing inside a trace span when tracing is on (argon2 is the costliest step of a login). */
export type HashingSpan = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export class AccountsService {
  readonly #store: Store;
  readonly #span: HashingSpan;

  constructor(store: Store, span: HashingSpan = (_name, work) => work()) {
    this.#store = store;
    this.#span = span;
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
      name,
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

  /** Sets a new password and ends every session and grant of the account at once. */
  async setPassword(email: string, password: string): Promise<AccountRecord> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem);
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { passwordHash: await this.#span('password.hash', () => hashPassword(password)) });
    await this.signOutEverywhere(account.id);
    return updated;
  }

  async setDisabled(email: string, disabled: boolean): Promise<AccountRecord> {
    const account = await this.requireByEmail(email);
    const updated = await this.#store.accounts.update(account.id, { disabled });
    if (disabled) await this.signOutEverywhere(account.id);
    return updated;
  }

  /** Destroys every session, grant, code and token of the account. Returns how many records went. */
  signOutEverywhere(accountId: string): Promise<number> {
    return this.#store.oidc.destroyByAccount(accountId);
  }
}

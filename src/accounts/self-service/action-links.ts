import { hash, randomBytes } from 'node:crypto';
import { tokenHash } from '../../keys/token-hash.ts';
import type { AccountRecord, Store } from '../../store/store.ts';

const MODEL = 'ActionLink';

export type ActionLinkPurpose = 'verify-email' | 'reset-password';

export interface ActionLinkRecord {
  [key: string]: unknown;
  purpose: ActionLinkPurpose;
  accountId: string;
  /** The address the link was sent to: a link for an address the account no longer has is void. */
  email: string;
  /** Epoch milliseconds of issue. */
  issuedAt: number;
  /**
   * Which password the account had when the link was issued (a hash of its hash): once the
   * password changed, however it changed, the link is void (a reset link mailed before a change
   * resets nothing, a sign-up's link confirms nothing once the owner took the address over).
   */
  passwordFingerprint: string;
}

/** Names the account's current password without revealing anything about it. */
function passwordFingerprint(account: Pick<AccountRecord, 'passwordHash'>): string {
  return hash('sha256', `action-link:${account.passwordHash}`, 'base64url');
}

/** The link still belongs to the account as it is now: the same address and the same password. */
export function linkStillFits(record: ActionLinkRecord, account: Pick<AccountRecord, 'email' | 'passwordHash'>): boolean {
  if (record.email !== account.email) return false;
  return record.passwordFingerprint === passwordFingerprint(account);
}

/**
 * Links in mail (verify the address, reset the password): 256 random bits in the URL, stored only
 * as a SHA-256 hash with its purpose and an expiry, used once by one atomic consume, on any node.
 */
export class ActionLinks {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async issue(purpose: ActionLinkPurpose, account: Pick<AccountRecord, 'id' | 'email' | 'passwordHash'>, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const record: ActionLinkRecord = {
      purpose, accountId: account.id, email: account.email, issuedAt: Date.now(), passwordFingerprint: passwordFingerprint(account),
    };
    await this.#store.oidc.upsert(MODEL, tokenHash(token), record, ttlSeconds);
    return token;
  }

  /** The link's record while it is unused, unexpired and for this purpose; it stays usable. */
  async peek(purpose: ActionLinkPurpose, token: unknown): Promise<ActionLinkRecord | undefined> {
    if (typeof token !== 'string' || !/^[\w-]{43}$/.test(token)) return undefined;
    const record = await this.#store.oidc.find(MODEL, tokenHash(token)) as ActionLinkRecord | undefined;
    return record?.purpose === purpose && !record.consumed ? record : undefined;
  }

  /** Uses the link: its record for the one caller that used it first, undefined for everyone else. */
  async use(purpose: ActionLinkPurpose, token: unknown): Promise<ActionLinkRecord | undefined> {
    const record = await this.peek(purpose, token);
    if (!record) return undefined;
    return await this.#store.oidc.consume(MODEL, tokenHash(token as string)) ? record : undefined;
  }
}

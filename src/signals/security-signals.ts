import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Outbox } from '../jobs/outbox.ts';

export const SIGNAL_JOB = 'signal';
/** One job naming many people whose groups or roles changed; a node turns it into one token-claims-change each. */
export const CLAIMS_CHANGE_JOB = 'claims-change';

export interface ClaimsChangeOptions {
  initiator?: InitiatingEntity;
  txn?: string;
  reason?: string;
  dedupeKey?: string;
}

/** Who made it happen (CAEP's `initiating_entity`). */
export const initiatingEntity = z.enum(['admin', 'user', 'policy', 'system']);
export type InitiatingEntity = z.infer<typeof initiatingEntity>;

/** CAEP credential types Keyline has: a password, an authenticator app (TOTP), passkeys and security keys. */
export const credentialType = z.enum(['password', 'app', 'fido2-platform', 'fido2-roaming', 'fido-u2f', 'pin', 'x509', 'phone-sms', 'phone-voice', 'verifiable-credential']);
export type CredentialType = z.infer<typeof credentialType>;
export const changeType = z.enum(['create', 'revoke', 'update', 'delete']);
export type ChangeType = z.infer<typeof changeType>;

const common = {
  accountId: z.string().min(1),
  /** Epoch seconds: when it happened (the SETs' event_timestamp). */
  at: z.number().int().positive(),
  /** One value for every SET with the same cause (a password change's session-revoked and credential-change). */
  txn: z.string().min(1),
  initiator: initiatingEntity,
  /** For administrators (CAEP reason_admin); never a secret. */
  reason: z.string().max(200).optional(),
};

/** What happened to a subject, as the outbox carries it to the fan-out. */
export const securitySignal = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session-revoked'), ...common }),
  z.object({
    type: z.literal('credential-change'), ...common, credentialType, changeType, friendlyName: z.string().max(100).optional(),
  }),
  z.object({
    type: z.literal('token-claims-change'), ...common,
    /** The claims as they are now (CAEP 1.0 §3.3): the person's groups and role names. */
    claims: z.record(z.string(), z.unknown()),
  }),
  z.object({ type: z.literal('account-disabled'), ...common }),
  z.object({ type: z.literal('account-enabled'), ...common }),
]);

export type SecuritySignal = z.infer<typeof securitySignal>;

/** What a caller says; when and the txn are filled in unless given. */
type Described<T> = T extends { at: number; txn: string } ? Omit<T, 'at' | 'txn'> & { at?: number; txn?: string } : never;
export type SignalInput = Described<SecuritySignal>;

export interface CredentialChange {
  credentialType: CredentialType;
  changeType: ChangeType;
  /** What the user calls it ("Work laptop"). */
  friendlyName?: string;
  initiator?: InitiatingEntity;
  txn?: string;
}

/**
 * Where the shared-signals events start: each call enqueues one job, which a node fans out to
 * every stream that wants it. Nothing here waits for a receiver.
 */
export class SecuritySignals {
  readonly #outbox: Outbox;

  constructor(outbox: Outbox) {
    this.#outbox = outbox;
  }

  async emit(signal: SignalInput, options: { dedupeKey?: string } = {}): Promise<void> {
    const payload = { ...signal, at: signal.at ?? Math.floor(Date.now() / 1000), txn: signal.txn ?? randomUUID() };
    await this.#outbox.enqueue(SIGNAL_JOB, payload, options);
  }

  /** CAEP credential-change: a password set or reset, a second factor or passkey added or removed. */
  credentialChanged(accountId: string, change: CredentialChange): Promise<void> {
    const { initiator = 'user', ...rest } = change;
    return this.emit({ type: 'credential-change', accountId, initiator, ...rest });
  }

  /** CAEP token-claims-change: a person's groups or roles changed; tokens issued from now on say so. */
  tokenClaimsChanged(accountId: string, claims: Record<string, unknown>, options: ClaimsChangeOptions = {}): Promise<void> {
    return this.emit(
      { type: 'token-claims-change', accountId, claims, initiator: options.initiator ?? 'admin', txn: options.txn, reason: options.reason },
      { dedupeKey: options.dedupeKey },
    );
  }

  /**
   * token-claims-change for each of these people, later: one job for all of them, so a change
   * reaching a big group writes one job per batch, not one per person, before it answers.
   * The job reads each person's groups and roles when it runs (claims-change-announcements.ts).
   */
  async claimsChangedFor(accountIds: readonly string[], options: { txn: string; reason: string }): Promise<void> {
    await this.#outbox.enqueue(CLAIMS_CHANGE_JOB, { accountIds: [...accountIds], txn: options.txn, reason: options.reason });
  }

  accountDisabled(accountId: string, options: { initiator?: InitiatingEntity; txn?: string } = {}): Promise<void> {
    return this.emit({ type: 'account-disabled', accountId, initiator: options.initiator ?? 'admin', txn: options.txn });
  }

  accountEnabled(accountId: string, options: { initiator?: InitiatingEntity; txn?: string } = {}): Promise<void> {
    return this.emit({ type: 'account-enabled', accountId, initiator: options.initiator ?? 'admin', txn: options.txn });
  }
}

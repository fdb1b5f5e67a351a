import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Outbox } from '../jobs/outbox.ts';
import { ISSUED_JWT_MODEL } from '../oidc/jwt-access-tokens/jwt-token-models.ts';
import { initiatingEntity, type InitiatingEntity } from '../signals/security-signals.ts';
import type { OidcPayload, OidcRecords } from '../store/store.ts';

export const SESSION_ENDED_JOB = 'session.ended';

export const sessionEndReason = z.enum(['logout', 'revoked', 'password-changed', 'account-disabled', 'token-reuse']);
export type SessionEndReason = z.infer<typeof sessionEndReason>;

/** A client the ended session(s) had signed in to, with the `sid` its id_tokens carried. */
export const relyingPartySession = z.object({ clientId: z.string().min(1), sid: z.string().min(1).optional() });
export type RelyingPartySession = z.infer<typeof relyingPartySession>;

/** One ending, as the outbox carries it to the fan-out (session-ending-deliveries.ts). */
export const sessionEnding = z.object({
  accountId: z.string().min(1),
  reason: sessionEndReason,
  initiator: initiatingEntity,
  relyingParties: z.array(relyingPartySession),
  /** Epoch seconds. */
  at: z.number().int().positive(),
  txn: z.string().min(1),
  /** False when only one client's part ended and the user's session lives on: no session-revoked signal then. */
  signal: z.boolean(),
});
export type SessionEnding = z.infer<typeof sessionEnding>;

export type SessionEndingInput = Omit<SessionEnding, 'at' | 'txn' | 'signal'> & { txn?: string; signal?: boolean; dedupeKey?: string };

/** The token models a grant owns; ending one session revokes them for each of its grants. */
const GRANT_MODELS = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest', ISSUED_JWT_MODEL];

interface SessionAuthorizations {
  authorizations?: Record<string, { sid?: unknown; grantId?: unknown }>;
}

/** Every client a session was signed in to, with that client's sid. */
export function relyingPartiesOf(session: OidcPayload): RelyingPartySession[] {
  const authorizations = (session as SessionAuthorizations).authorizations ?? {};
  return Object.entries(authorizations).map(([clientId, authorization]) => (
    typeof authorization?.sid === 'string' ? { clientId, sid: authorization.sid } : { clientId }
  ));
}

function grantIdsOf(session: OidcPayload): string[] {
  const authorizations = (session as SessionAuthorizations).authorizations ?? {};
  return Object.values(authorizations).map((authorization) => authorization?.grantId).filter((id): id is string => typeof id === 'string');
}

function unique(parties: RelyingPartySession[]): RelyingPartySession[] {
  const seen = new Map<string, RelyingPartySession>();
  for (const party of parties) seen.set(`${party.clientId}\n${party.sid ?? ''}`, party);
  return [...seen.values()];
}

/**
 * Every path that ends a user's sessions goes through here, so each one notifies the same way:
 * one `session.ended` job in the outbox per ending, which a node turns into a logout token for
 * every client with a back-channel logout URI and a CAEP session-revoked signal. The job is
 * enqueued before the records go, so an ending the store took is never lost (an ending that
 * fails half-way at worst tells the clients of a session that still exists, which signs them in
 * again silently).
 */
export class SessionEndings {
  readonly #oidc: OidcRecords;
  readonly #outbox: Outbox;

  constructor(oidc: OidcRecords, outbox: Outbox) {
    this.#oidc = oidc;
    this.#outbox = outbox;
  }

  /** Records an ending that already happened (oidc-provider's end_session, a detected token reuse). */
  async ended(input: SessionEndingInput): Promise<void> {
    const { dedupeKey, ...ending } = input;
    const payload: SessionEnding = {
      ...ending,
      relyingParties: unique(ending.relyingParties),
      at: Math.floor(Date.now() / 1000),
      txn: ending.txn ?? randomUUID(),
      signal: ending.signal ?? true,
    };
    await this.#outbox.enqueue(SESSION_ENDED_JOB, payload, dedupeKey ? { dedupeKey } : {});
  }

  /**
   * Ends every session, grant, code and token of the account (sign out everywhere, a password
   * change, a disable); returns how many records went. Clients that hold only a refresh token
   * (offline access outliving the session) are told too, with the sid that token carries.
   */
  async endAll(accountId: string, options: { reason: SessionEndReason; initiator: InitiatingEntity; txn?: string }): Promise<number> {
    const [sessions, refreshTokens] = await Promise.all([
      this.#oidc.listByAccount('Session', accountId),
      this.#oidc.listByAccount('RefreshToken', accountId),
    ]);
    const relyingParties = [
      ...sessions.flatMap((session) => relyingPartiesOf(session.payload)),
      ...refreshTokens.flatMap(({ payload }) => (typeof payload.clientId === 'string'
        ? [typeof payload.sid === 'string' ? { clientId: payload.clientId, sid: payload.sid } : { clientId: payload.clientId }]
        : [])),
    ];
    await this.ended({ accountId, ...options, relyingParties });
    return this.#oidc.destroyByAccount(accountId);
  }

  /**
   * Ends one session of the account (by the uid `keyline sessions list` shows) with the grants it
   * holds and their tokens; false when the account has no such session.
   */
  async endOne(accountId: string, sessionUid: string, initiator: InitiatingEntity): Promise<boolean> {
    const session = (await this.#oidc.listByAccount('Session', accountId)).find(({ payload }) => payload.uid === sessionUid);
    if (!session) return false;
    await this.ended({ accountId, reason: 'revoked', initiator, relyingParties: relyingPartiesOf(session.payload) });
    await this.#revokeGrants(grantIdsOf(session.payload));
    await this.#oidc.destroy('Session', session.id);
    return true;
  }

  /**
   * Ends every session of the account but the one with `keptSessionUid` (a password changed on
   * the account page, "sign out everywhere else"), and every grant that session does not hold,
   * offline refresh tokens included. Returns how many sessions ended.
   */
  async endOthers(accountId: string, keptSessionUid: string, options: { reason: SessionEndReason; initiator: InitiatingEntity; txn?: string }): Promise<number> {
    const [sessions, grants] = await Promise.all([this.#oidc.listByAccount('Session', accountId), this.#oidc.listByAccount('Grant', accountId)]);
    const kept = sessions.find(({ payload }) => payload.uid === keptSessionUid);
    const keptGrants = new Set(kept ? grantIdsOf(kept.payload) : []);
    const others = sessions.filter((session) => session !== kept);
    const endedGrants = grants.filter(({ id }) => !keptGrants.has(id));
    const relyingParties = [
      ...others.flatMap((session) => relyingPartiesOf(session.payload)),
      ...endedGrants.flatMap(({ payload }) => (typeof payload.clientId === 'string' ? [{ clientId: payload.clientId }] : [])),
    ];
    if (relyingParties.length || others.length) await this.ended({ accountId, ...options, relyingParties });
    await this.#revokeGrants(endedGrants.map(({ id }) => id));
    await Promise.all(others.map((session) => this.#oidc.destroy('Session', session.id)));
    return others.length;
  }

  /**
   * Takes back everything one client was given for the account ("remove access" on the account
   * page): its grants and their tokens go, and the client is told its sessions with the user ended.
   * The user's Keyline session lives on. Returns how many grants went.
   */
  async endForClient(accountId: string, clientId: string, initiator: InitiatingEntity): Promise<number> {
    const [sessions, grants] = await Promise.all([this.#oidc.listByAccount('Session', accountId), this.#oidc.listByAccount('Grant', accountId)]);
    const clientGrants = grants.filter(({ payload }) => payload.clientId === clientId).map(({ id }) => id);
    const relyingParties = sessions.flatMap((session) => relyingPartiesOf(session.payload)).filter((party) => party.clientId === clientId);
    if (clientGrants.length || relyingParties.length) {
      await this.ended({ accountId, reason: 'revoked', initiator, signal: false, relyingParties: relyingParties.length ? relyingParties : [{ clientId }] });
    }
    await this.#revokeGrants(clientGrants);
    return clientGrants.length;
  }

  async #revokeGrants(grantIds: string[]): Promise<void> {
    await Promise.all(grantIds.flatMap((grantId) => [
      ...GRANT_MODELS.map((model) => this.#oidc.revokeByGrantId(model, grantId)),
      this.#oidc.destroy('Grant', grantId),
    ]));
  }
}

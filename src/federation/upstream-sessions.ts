import { hash } from 'node:crypto';
import type { SessionEndings } from '../accounts/session-endings.ts';
import type { InitiatingEntity } from '../signals/security-signals.ts';
import type { OidcPayload, Store } from '../store/store.ts';
import { UpstreamError } from './upstream.ts';

/**
 * Which Keyline sessions an upstream sign-in made, so that the upstream's word that its session
 * (`sid`) or its user (`sub`) signed out can end exactly those. oidc-provider's Session keeps no
 * field of ours, so the link is kept beside it, in three kinds of short records of one model:
 *
 * - the sign-in, under its interaction uid: upstream, upstream subject and sid, account; once the
 *   interaction is resumed into a session (bind-upstream-sessions.ts), that session's uid;
 * - lookups from (upstream, sid) and (upstream, subject) to the account, so a logout token naming
 *   only one of them finds the account's sign-ins;
 * - "signed out before the session existed" markers, for a logout that beats the resume: whichever
 *   of the two writes second sees the other and ends the session.
 */
export const UPSTREAM_SESSION_MODEL = 'UpstreamSession';

/** Long enough for any Keyline session (remembered ones live at most 30 days unless configured longer). */
export const BOUND_LIFETIME_FLOOR = 30 * 24 * 3600;
/** A sign-in that is never resumed (abandoned at the consent page) is forgotten after this. */
const UNBOUND_LIFETIME = 3600;

export interface UpstreamSignIn {
  upstreamId: string;
  /** The upstream's `sid` for its session, when it sent one. */
  upstreamSessionId?: string | undefined;
  /** The upstream's subject (as linked; never an email). */
  subject: string;
  accountId: string;
  interactionUid: string;
}

interface SignInRecord extends OidcPayload {
  accountId: string;
  upstreamId: string;
  subject: string;
  upstreamSid?: string;
  interactionUid: string;
  signedInAt: number;
  /** The Keyline session (its public uid) the interaction was resumed into. */
  sessionUid?: string;
  lookup?: never;
}

const digest = (...parts: string[]) => hash('sha256', parts.join('\n'), 'base64url');
const signInId = (interactionUid: string) => `signin:${interactionUid}`;
const signedOutId = (interactionUid: string) => `out:${interactionUid}`;
const sidLookupId = (upstreamId: string, sid: string) => `sid:${digest(upstreamId, sid)}`;
const subjectLookupId = (upstreamId: string, subject: string) => `sub:${digest(upstreamId, subject)}`;
const disabledId = (upstreamId: string, subject: string) => `disabled:${digest(upstreamId, subject)}`;

/**
 * The sign-in's session must end the moment it is made. The marker names the account under `account`,
 * not `accountId`, so that ending all of the account's records (account-disabled) does not take it too.
 */
async function markSignedOut(store: Store, signIn: SignInRecord, initiator: InitiatingEntity): Promise<void> {
  await store.oidc.upsert(UPSTREAM_SESSION_MODEL, signedOutId(signIn.interactionUid), { initiator, account: signIn.accountId }, UNBOUND_LIFETIME);
}

function isSignIn(payload: OidcPayload): payload is SignInRecord {
  return typeof payload.interactionUid === 'string' && typeof payload.upstreamId === 'string' && payload.lookup === undefined;
}

/**
 * Called by completeUpstreamSignIn once the account is known: remembers which upstream session led
 * to which account in which interaction. Refuses (UpstreamError 'denied') an identity whose upstream
 * said, through a RISC account-disabled signal, that it is disabled, until it says it is enabled.
 */
export async function recordUpstreamSession(store: Store, signIn: UpstreamSignIn): Promise<void> {
  const disabled = async () => store.oidc.find(UPSTREAM_SESSION_MODEL, disabledId(signIn.upstreamId, signIn.subject));
  const refused = () => new UpstreamError('denied', 'the upstream disabled this identity (RISC account-disabled)');
  if (await disabled()) throw refused();
  const record: SignInRecord = {
    accountId: signIn.accountId, upstreamId: signIn.upstreamId, subject: signIn.subject, interactionUid: signIn.interactionUid,
    signedInAt: Math.floor(Date.now() / 1000), ...(signIn.upstreamSessionId ? { upstreamSid: signIn.upstreamSessionId } : {}),
  };
  const lookup = { accountId: signIn.accountId, upstreamId: signIn.upstreamId, lookup: true };
  await Promise.all([
    store.oidc.upsert(UPSTREAM_SESSION_MODEL, signInId(signIn.interactionUid), record, UNBOUND_LIFETIME),
    store.oidc.upsert(UPSTREAM_SESSION_MODEL, subjectLookupId(signIn.upstreamId, signIn.subject), lookup, BOUND_LIFETIME_FLOOR),
    ...(signIn.upstreamSessionId
      ? [store.oidc.upsert(UPSTREAM_SESSION_MODEL, sidLookupId(signIn.upstreamId, signIn.upstreamSessionId), lookup, BOUND_LIFETIME_FLOOR)]
      : []),
  ]);
  // An account-disabled that came meanwhile wrote its marker before it looked for sign-ins: one of us sees the other.
  if (await disabled()) {
    await store.oidc.destroy(UPSTREAM_SESSION_MODEL, signInId(signIn.interactionUid));
    throw refused();
  }
}

/** What an upstream said ended: its session `sid`, or every session of its user `subject`, or both (that session of that user). */
export interface UpstreamEnding {
  upstreamId: string;
  subject?: string;
  sid?: string;
  initiator: InitiatingEntity;
}

/** The Keyline account an upstream subject or sid leads to, through the lookups recordUpstreamSession wrote. */
async function accountOf(store: Store, upstreamId: string, key: { subject?: string; sid?: string }): Promise<string | undefined> {
  const id = key.sid !== undefined ? sidLookupId(upstreamId, key.sid) : subjectLookupId(upstreamId, key.subject!);
  const lookup = await store.oidc.find(UPSTREAM_SESSION_MODEL, id);
  if (typeof lookup?.accountId === 'string') return lookup.accountId;
  if (key.subject === undefined) return undefined;
  return (await store.federatedIdentities.find(upstreamId, key.subject))?.accountId;
}

/** The sign-ins through this upstream that match what it said ended. */
async function matchingSignIns(store: Store, accountId: string, ending: UpstreamEnding): Promise<SignInRecord[]> {
  const records = await store.oidc.listByAccount(UPSTREAM_SESSION_MODEL, accountId);
  return records.map(({ payload }) => payload).filter(isSignIn).filter((signIn) => signIn.upstreamId === ending.upstreamId
    && (ending.sid === undefined || signIn.upstreamSid === ending.sid)
    && (ending.subject === undefined || signIn.subject === ending.subject));
}

/**
 * Ends the Keyline sessions an upstream's logout names, through the one session-ending path (so
 * every client downstream is told). A sign-in not yet resumed into a session is marked, and its
 * session ends the moment it is made. Returns how many sessions ended.
 */
export async function endUpstreamSessions(store: Store, endings: SessionEndings, ending: UpstreamEnding): Promise<number> {
  if (ending.sid === undefined && ending.subject === undefined) return 0;
  const accountId = await accountOf(store, ending.upstreamId, ending);
  if (!accountId) return 0;
  let ended = 0;
  for (const signIn of await matchingSignIns(store, accountId, ending)) {
    if (signIn.sessionUid === undefined) {
      await markSignedOut(store, signIn, ending.initiator);
      // The resume may have bound the session meanwhile; it wrote before it looked for the marker, so one of us sees the other.
      const now = await store.oidc.find(UPSTREAM_SESSION_MODEL, signInId(signIn.interactionUid));
      if (!now || !isSignIn(now) || now.sessionUid === undefined) continue;
      signIn.sessionUid = now.sessionUid;
    }
    if (await endings.endOne(accountId, signIn.sessionUid, ending.initiator)) ended += 1;
    await store.oidc.destroy(UPSTREAM_SESSION_MODEL, signInId(signIn.interactionUid));
  }
  return ended;
}

/**
 * The interaction was resumed into session `sessionUid`: the sign-in now names it, for as long as
 * a session can live. If the upstream signed out in between, the session ends at once.
 */
export async function bindUpstreamSession(
  store: Store, endings: SessionEndings, interactionUid: string, accountId: string, sessionUid: string, lifetimeSeconds: number,
): Promise<void> {
  const signIn = await store.oidc.find(UPSTREAM_SESSION_MODEL, signInId(interactionUid));
  if (signIn && (!isSignIn(signIn) || signIn.accountId !== accountId)) return;
  // No record: none was made, or an ending of all the account's records (account-disabled) took it; its marker says which.
  if (signIn) await store.oidc.upsert(UPSTREAM_SESSION_MODEL, signInId(interactionUid), { ...signIn, sessionUid }, lifetimeSeconds);
  const signedOut = await store.oidc.find(UPSTREAM_SESSION_MODEL, signedOutId(interactionUid));
  if (!signedOut || signedOut.account !== accountId) return;
  const initiator = signedOut.initiator === 'admin' || signedOut.initiator === 'policy' || signedOut.initiator === 'system' ? signedOut.initiator : 'user';
  await endings.endOne(accountId, sessionUid, initiator);
  await store.oidc.destroy(UPSTREAM_SESSION_MODEL, signInId(interactionUid));
}

/** The upstreams the Keyline session `sessionUid` came through (it is ending: their records go too). */
export async function takeUpstreamsOfSession(store: Store, accountId: string, sessionUid: string): Promise<string[]> {
  const records = await store.oidc.listByAccount(UPSTREAM_SESSION_MODEL, accountId);
  const mine = records.map(({ payload }) => payload).filter(isSignIn).filter((signIn) => signIn.sessionUid === sessionUid);
  await Promise.all(mine.map((signIn) => store.oidc.destroy(UPSTREAM_SESSION_MODEL, signInId(signIn.interactionUid))));
  return [...new Set(mine.map((signIn) => signIn.upstreamId))];
}

const continuationId = (state: string) => `logout:${state}`;

/** Where the browser goes once the upstream has signed it out too, kept under the `state` sent to the upstream. */
export async function saveLogoutContinuation(store: Store, state: string, upstreamId: string, then: string, lifetimeSeconds: number): Promise<void> {
  await store.oidc.upsert(UPSTREAM_SESSION_MODEL, continuationId(state), { upstreamId, then }, lifetimeSeconds);
}

/** The continuation for this state and upstream, once (a replayed or concurrent return finds nothing). */
export async function takeLogoutContinuation(store: Store, state: string, upstreamId: string): Promise<string | undefined> {
  const saved = await store.oidc.find(UPSTREAM_SESSION_MODEL, continuationId(state));
  if (!saved || saved.upstreamId !== upstreamId || typeof saved.then !== 'string') return undefined;
  return await store.oidc.consume(UPSTREAM_SESSION_MODEL, continuationId(state)) ? saved.then : undefined;
}

/**
 * RISC account-disabled (issued at `issuedAt`, epoch seconds): every session of the linked account
 * ends (not only those through this upstream: the person's identity is gone), and sign-ins through
 * this upstream identity are refused until the upstream says account-enabled. The marker names no
 * account, so ending the account's records does not lift it.
 */
export async function disableUpstreamIdentity(
  store: Store, endings: SessionEndings, upstreamId: string, subject: string, initiator: InitiatingEntity, issuedAt: number,
): Promise<number> {
  const earlier = await store.oidc.find(UPSTREAM_SESSION_MODEL, disabledId(upstreamId, subject));
  const disabledAt = Math.max(issuedAt, typeof earlier?.disabledAt === 'number' ? earlier.disabledAt : 0);
  await store.oidc.upsert(UPSTREAM_SESSION_MODEL, disabledId(upstreamId, subject), { upstreamId, disabledAt });
  const accountId = await accountOf(store, upstreamId, { subject });
  if (!accountId) return 0;
  // A sign-in through this identity not yet resumed would otherwise become a session after endAll.
  for (const signIn of await matchingSignIns(store, accountId, { upstreamId, subject, initiator })) {
    if (signIn.sessionUid === undefined) await markSignedOut(store, signIn, initiator);
  }
  return endings.endAll(accountId, { reason: 'account-disabled', initiator });
}

/**
 * RISC account-enabled (issued at `issuedAt`) lifts a disable issued no later than it: pushes may
 * arrive out of order (a retried older SET), and an older enable must not undo a newer disable.
 * Returns whether a disable was lifted.
 */
export async function enableUpstreamIdentity(store: Store, upstreamId: string, subject: string, issuedAt: number): Promise<boolean> {
  const disabled = await store.oidc.find(UPSTREAM_SESSION_MODEL, disabledId(upstreamId, subject));
  if (!disabled || (typeof disabled.disabledAt === 'number' && disabled.disabledAt > issuedAt)) return false;
  await store.oidc.destroy(UPSTREAM_SESSION_MODEL, disabledId(upstreamId, subject));
  return true;
}

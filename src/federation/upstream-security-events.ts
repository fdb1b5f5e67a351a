import { jwtVerify, type JWTPayload } from 'jose';
import { ACCOUNT_DISABLED, ACCOUNT_ENABLED, SESSION_REVOKED } from '../signals/event-types.ts';
import { initiatingEntity, type InitiatingEntity } from '../signals/security-signals.ts';
import type { UpstreamRecord } from '../store/store.ts';
import type { UpstreamKeys } from './upstream-keys.ts';

/** How old (by its iat) a pushed SET may be; its jti is remembered at least this long. */
export const SET_MAX_AGE_SECONDS = 3600;
const CLOCK_TOLERANCE_SECONDS = 30;
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** RFC 8935 §2.3's error codes: the SET was refused, and why. */
export class SetRefused extends Error {
  readonly err: 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience';

  constructor(err: SetRefused['err'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SetRefused';
    this.err = err;
  }
}

/** What one SET asks Keyline to do, with the upstream subject (never an email) it concerns. */
export type UpstreamSignal =
  | { kind: 'session-revoked'; subject: string; sid?: string; initiator: InitiatingEntity }
  | { kind: 'account-disabled'; subject: string; initiator: InitiatingEntity }
  | { kind: 'account-enabled'; subject: string }
  | { kind: 'ignored'; why: string };

export interface VerifiedSet {
  jti: string;
  /** When the transmitter issued it (its iat): pushes may arrive out of order. */
  issuedAt: number;
  rememberUntil: number;
  signals: UpstreamSignal[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 1024;

/** The issuer and key set this upstream's SETs are checked against: its own SSF settings, else its OpenID ones. */
async function transmitterOf(upstream: UpstreamRecord, keys: UpstreamKeys): Promise<{ issuer: string; jwksUri: string }> {
  const { ssfIssuer, ssfJwksUri, issuer } = upstream.settings;
  if (typeof ssfJwksUri === 'string') return { issuer: typeof ssfIssuer === 'string' ? ssfIssuer : String(issuer), jwksUri: ssfJwksUri };
  const metadata = await keys.metadata(String(issuer));
  return { issuer: typeof ssfIssuer === 'string' ? ssfIssuer : metadata.issuer, jwksUri: metadata.jwksUri };
}

/** The `sub` of an `iss_sub` identifier under the upstream's own issuer. */
function linkedSub(identifier: unknown, upstreamIssuer: string): string | undefined {
  return isObject(identifier) && identifier.format === 'iss_sub' && identifier.iss === upstreamIssuer && text(identifier.sub) ? identifier.sub : undefined;
}

/**
 * The upstream user an identifier names: its `iss_sub` under the upstream's issuer, or among RFC 9493
 * `aliases` the one such iss_sub (aliases naming two are ambiguous: nothing).
 */
function userOf(user: Record<string, unknown>, upstreamIssuer: string): string | { reason: string } {
  if (user.format === 'aliases') {
    const subs = new Set((Array.isArray(user.identifiers) ? user.identifiers : []).map((identifier) => linkedSub(identifier, upstreamIssuer)).filter(text));
    return subs.size === 1 ? [...subs][0]! : { reason: `aliases with ${subs.size} iss_sub of the upstream` };
  }
  if (user.format !== 'iss_sub') return { reason: `a ${String(user.format)} subject names no linked identity` };
  return linkedSub(user, upstreamIssuer) ?? { reason: 'an iss_sub of another issuer' };
}

/**
 * The upstream user a subject names, as Keyline linked it: only an `iss_sub` under the upstream's
 * own issuer (alone, among aliases, or as a complex subject's `user`), never an email or an opaque
 * id, which a transmitter could attach to anyone. A complex subject's `session` (opaque) narrows it to that sid.
 */
function subjectOf(value: unknown, upstreamIssuer: string): { subject: string; sid?: string } | string {
  if (!isObject(value)) return 'no subject';
  const user = value.format === 'complex' ? value.user : value;
  if (!isObject(user)) return 'a complex subject without a user';
  const sub = userOf(user, upstreamIssuer);
  if (typeof sub !== 'string') return sub.reason;
  const session = value.format === 'complex' ? value.session : undefined;
  if (session === undefined) return { subject: sub };
  if (!isObject(session) || session.format !== 'opaque' || !text(session.id)) return 'a session subject Keyline cannot match';
  return { subject: sub, sid: session.id };
}

function initiatorOf(event: Record<string, unknown>): InitiatingEntity {
  const parsed = initiatingEntity.safeParse(event.initiating_entity);
  return parsed.success ? parsed.data : 'system';
}

function signalOf(type: string, event: Record<string, unknown>, subjectId: unknown, upstreamIssuer: string): UpstreamSignal {
  if (type !== SESSION_REVOKED && type !== ACCOUNT_DISABLED && type !== ACCOUNT_ENABLED) return { kind: 'ignored', why: `event type ${type}` };
  const subject = subjectOf(subjectId ?? event.subject, upstreamIssuer);
  if (typeof subject === 'string') return { kind: 'ignored', why: subject };
  if (type === SESSION_REVOKED) return { kind: 'session-revoked', ...subject, initiator: initiatorOf(event) };
  if (type === ACCOUNT_DISABLED) return { kind: 'account-disabled', subject: subject.subject, initiator: initiatorOf(event) };
  return { kind: 'account-enabled', subject: subject.subject };
}

/**
 * RFC 8417 security event token pushed by this upstream (RFC 8935): typed secevent+jwt, signed by
 * an asymmetric key of its transmitter's key set, issued by the transmitter to Keyline's receiver
 * (its endpoint URL, or Keyline's client id at the upstream), fresh, with a jti.
 */
export async function verifyUpstreamSet(token: string, upstream: UpstreamRecord, keys: UpstreamKeys, receiverUrl: string): Promise<VerifiedSet> {
  const transmitter = await transmitterOf(upstream, keys);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys.keySet(transmitter.jwksUri), {
      typ: 'secevent+jwt',
      algorithms: ASYMMETRIC_ALGS,
      maxTokenAge: SET_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'iat', 'jti'],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    const err = code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'invalid_key' : 'invalid_request';
    throw new SetRefused(err, `the SET does not verify: ${(error as Error).message}`, { cause: error });
  }
  if (payload.iss !== transmitter.issuer) throw new SetRefused('invalid_issuer', 'the SET comes from another issuer');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.some((aud) => aud === receiverUrl || aud === upstream.settings.clientId)) throw new SetRefused('invalid_audience', 'the SET is for another receiver');
  if (!text(payload.jti)) throw new SetRefused('invalid_request', 'the jti is not a string');
  if (!isObject(payload.events) || Object.keys(payload.events).length === 0) throw new SetRefused('invalid_request', 'the SET has no events');
  const signals = Object.entries(payload.events).map(([type, event]) => (isObject(event)
    ? signalOf(type, event, payload.sub_id, String(upstream.settings.issuer))
    : { kind: 'ignored' as const, why: `event ${type} is not an object` }));
  return { jti: payload.jti, issuedAt: payload.iat!, rememberUntil: payload.iat! + SET_MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS, signals };
}

import { jwtVerify, type JWTPayload } from 'jose';
import type { UpstreamRecord } from '../store/store.ts';
import type { UpstreamKeys } from './upstream-keys.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old (by its iat) a logout token may be; its jti is remembered at least this long. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

/** Why a logout token was refused: for the log only (the answer is always invalid_request). */
export class LogoutTokenRefused extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogoutTokenRefused';
  }
}

export interface UpstreamLogout {
  jti: string;
  sub?: string;
  sid?: string;
  /** Epoch seconds after which the jti need no longer be remembered. */
  rememberUntil: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 1024;

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.6: a logout token from this upstream, signed with one
 * of its published keys by an algorithm it advertises (never none or HMAC: the upstream's keys are
 * public), issued by its issuer to Keyline's client id there, fresh, with the back-channel logout
 * event, a sub or a sid, and no nonce (which would make it usable as an id_token).
 */
export async function verifyUpstreamLogoutToken(token: string, upstream: UpstreamRecord, keys: UpstreamKeys): Promise<UpstreamLogout> {
  const issuer = String(upstream.settings.issuer);
  const metadata = await keys.metadata(issuer);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys.keySet(metadata.jwksUri), {
      issuer,
      audience: String(upstream.settings.clientId),
      algorithms: metadata.signingAlgs,
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'iat', 'jti'],
    }));
  } catch (error) {
    throw new LogoutTokenRefused(`the logout token does not verify: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(payload.events) || !isObject(payload.events[BACKCHANNEL_LOGOUT_EVENT])) throw new LogoutTokenRefused('no back-channel logout event');
  if ('nonce' in payload) throw new LogoutTokenRefused('a logout token must not carry a nonce');
  if (!nonEmpty(payload.jti)) throw new LogoutTokenRefused('the jti is not a string');
  const sub = payload.sub === undefined ? undefined : payload.sub;
  const sid = payload.sid === undefined ? undefined : payload.sid;
  if (sub !== undefined && !nonEmpty(sub)) throw new LogoutTokenRefused('sub is not a string');
  if (sid !== undefined && !nonEmpty(sid)) throw new LogoutTokenRefused('sid is not a string');
  if (sub === undefined && sid === undefined) throw new LogoutTokenRefused('neither sub nor sid');
  // Older than this it is refused by its iat whatever its exp says, so the jti need not be kept longer.
  const rememberUntil = payload.iat! + LOGOUT_TOKEN_MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS;
  return { jti: payload.jti, ...(sub ? { sub } : {}), ...(sid ? { sid } : {}), rememberUntil };
}

import { hash } from 'node:crypto';
import type { JWK } from 'jose';
import { signJwt } from '../keys/sign-jwt.ts';
import type { SubjectIdentifier } from './subject-identifiers.ts';

/** A SET's claims (RFC 8417 as SSF 1.0 profiles it): `sub_id` names the subject; never `sub`, never `exp`. */
export interface SetClaims {
  [claim: string]: unknown;
  iss: string;
  jti: string;
  iat: number;
  aud: string;
  txn?: string;
  sub_id: SubjectIdentifier | { format: 'opaque'; id: string };
  events: Record<string, Record<string, unknown>>;
}

/**
 * The jti of one event's SET on one stream: the same however often the fan-out runs, so a second
 * run holds or pushes nothing twice, and unique per stream.
 */
export function setJti(eventId: string, streamId: string): string {
  return hash('sha256', `${eventId}\n${streamId}`, 'base64url').slice(0, 32);
}

/** Signed when it is handed out (pushed or polled), with the key that signs then. */
export function signSet(claims: SetClaims, privateJwk: JWK): Promise<string> {
  return signJwt(claims, 'secevent+jwt', privateJwk);
}

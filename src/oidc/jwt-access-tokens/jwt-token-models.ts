/**
 * oidc-provider does not store JWT access tokens. Keyline keeps two small records of its own, in the
 * store beside oidc-provider's models, so that JWTs can be introspected and revoked like opaque tokens:
 * - IssuedJwt: for a JWT issued to a user's grant, what it is bound to (grant, session, account),
 *   keyed by its `jti`; it goes with the grant, the session's account or the token's revocation.
 * - RevokedJwt: a `jti` revoked before its `exp`, kept until then.
 * They are separate models on purpose: a `jti` is visible to every API that receives the token and
 * must never work as an opaque AccessToken.
 */
export const ISSUED_JWT_MODEL = 'IssuedJwt';
export const REVOKED_JWT_MODEL = 'RevokedJwt';

export interface IssuedJwtRecord {
  [key: string]: unknown;
  grantId: string;
  accountId: string;
  clientId: string;
  sessionUid?: string;
  expiresWithSession?: boolean;
}

import { jwtVerify } from 'jose';
import type { AuthorizationServer } from './authorization-server.ts';
import type { AccessTokenClaims } from './types.ts';

/** Asymmetric algorithms only: `none` and HMAC (where the key would be public) never verify. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

/**
 * RFC 9068 §4: the token is a JWT of type `at+jwt`, signed by the issuer with a key from its JWKS,
 * issued by that issuer, for this resource, and not expired. Throws with the reason otherwise.
 */
export async function verifyAccessToken(
  token: string,
  server: AuthorizationServer,
  audience: string,
  clockToleranceSeconds = 5,
): Promise<AccessTokenClaims> {
  const { payload } = await jwtVerify(token, server.keys, {
    issuer: server.issuer,
    audience,
    typ: 'at+jwt',
    algorithms: ACCEPTED_ALGORITHMS,
    clockTolerance: clockToleranceSeconds,
    requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
  });
  return payload as AccessTokenClaims;
}

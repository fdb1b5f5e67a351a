import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

/**
 * Signs claims with one of Keyline's private signing keys, naming the key (`kid`) and the token's
 * type (`typ`), so a receiver verifies it against Keyline's JWKS and cannot take it for another
 * kind of token. The claims are signed as given: the caller sets iat, exp and the rest.
 */
export async function signJwt(claims: JWTPayload, typ: string, privateJwk: JWK): Promise<string> {
  const alg = privateJwk.alg;
  if (!alg) throw new Error(`signing key ${privateJwk.kid ?? '(no kid)'} names no algorithm`);
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: privateJwk.kid, typ })
    .sign(await importJWK(privateJwk, alg));
}

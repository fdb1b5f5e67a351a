import { importPKCS8, SignJWT } from 'jose';

export const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** Apple accepts a client secret for at most six months; Keyline signs a fresh one for each token request. */
const LIFETIME_SECONDS = 300;

/**
 * Sign in with Apple's client secret: not a stored string but an ES256 JWT signed with the
 * operator's key from Apple (iss = team id, sub = the Services ID, aud = Apple, kid = the key id).
 * Signed at the moment of the token request with the key opened for it.
 */
export async function appleClientSecret(options: { teamId: string; keyId: string; clientId: string; privateKeyPem: string }): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: options.keyId })
    .setIssuer(options.teamId)
    .setSubject(options.clientId)
    .setAudience(APPLE_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + LIFETIME_SECONDS)
    .sign(key);
}

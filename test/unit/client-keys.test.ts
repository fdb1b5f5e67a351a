import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { clientKeysProblem } from '../../src/oidc/client-keys.ts';

async function publicJwk(alg: 'ES256' | 'RS256' | 'PS256' | 'Ed25519' | 'ES384', kid = 'k1'): Promise<JWK> {
  return { ...await exportJWK((await generateKeyPair(alg, { extractable: true })).publicKey), kid };
}

const ec = await publicJwk('ES256');

test.each([
  ['an EC P-256 key', async () => [ec]],
  ['an RSA key with alg RS256 and use sig', async () => [{ ...await publicJwk('RS256'), alg: 'RS256', use: 'sig' }]],
  ['an RSA key for PS256', async () => [{ ...await publicJwk('PS256'), alg: 'PS256' }]],
  ['an Ed25519 key named either way', async () => [{ ...await publicJwk('Ed25519', 'a'), alg: 'Ed25519' }, { ...await publicJwk('Ed25519', 'b'), alg: 'EdDSA' }]],
  ['several keys with their own kids (a rotation)', async () => [ec, await publicJwk('ES256', 'k2')]],
])('accepts %s', async (_name, keys) => {
  expect(await clientKeysProblem({ keys: await keys() })).toBeUndefined();
});

test.each([
  ['no keys array', async () => ({ key: ec }), 'a JWK Set needs a "keys" array'],
  ['an empty set', async () => ({ keys: [] }), 'the JWK Set has no keys'],
  ['a key that is not an object', async () => ({ keys: ['abc'] }), 'key 1 is not a JSON object'],
  ['a private key', async () => ({ keys: [{ ...await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey), kid: 'leaked' }] }),
    'key "leaked" contains private key material ("d"); give only the public key, never the private one'],
  ['a private RSA key', async () => ({ keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rsa' }] }),
    'key "rsa" contains private key material ("d"); give only the public key, never the private one'],
  ['a symmetric key', async () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'shared' }] }),
    'key "shared" is a symmetric key (kty "oct"); give the client\'s public keys (RSA, EC or OKP)'],
  ['an unknown key type', async () => ({ keys: [{ kty: 'AKP', kid: 'pq' }] }), 'key "pq" has kty "AKP"; use RSA, EC (P-256) or OKP (Ed25519)'],
  ['a key without a kid', async () => { const { kid: _kid, ...rest } = ec; return { keys: [rest] }; },
    'key 1 has no kid; give every key a kid, so an assertion can name the key that signed it'],
  ['an HMAC alg', async () => ({ keys: [{ ...ec, alg: 'HS256' }] }), 'key "k1" has alg "HS256"; Keyline accepts RS256, PS256, ES256, EdDSA, Ed25519'],
  ['alg none', async () => ({ keys: [{ ...ec, alg: 'none' }] }), 'key "k1" has alg "none"; Keyline accepts RS256, PS256, ES256, EdDSA, Ed25519'],
  ['an alg that does not fit the key', async () => ({ keys: [{ ...ec, alg: 'RS256' }] }), 'key "k1" has alg RS256, which needs a RSA key, not EC'],
  ['an encryption key', async () => ({ keys: [{ ...ec, use: 'enc' }] }), 'key "k1" is for use "enc"; client assertions need signing keys (use "sig")'],
  ['a short RSA key', async () => ({ keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'short' }] }),
    'key "short" is an RSA key shorter than 2048 bits'],
  ['a P-384 key', async () => ({ keys: [await publicJwk('ES384', 'p384')] }), 'key "p384" is on curve "P-384"; Keyline accepts EC keys on P-256'],
  ['an X25519 key', async () => ({ keys: [{ ...ec, kty: 'OKP', crv: 'X25519', kid: 'dh' }] }), 'key "dh" is on curve "X25519"; Keyline accepts OKP keys on Ed25519'],
  ['a point that is not on the curve', async () => ({ keys: [{ ...ec, x: 'AAAA' }] }), /^key "k1" is not a valid EC public key \(/],
  ['two keys with one kid', async () => ({ keys: [ec, ec] }), 'two keys have the kid "k1"; each key needs its own'],
])('refuses %s, saying what to fix', async (_name, jwks, problem) => {
  const found = await clientKeysProblem(await jwks());
  if (typeof problem === 'string') expect(found).toBe(problem);
  else expect(found).toMatch(problem);
});

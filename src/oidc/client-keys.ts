import { importJWK, type JWK } from 'jose';

/** The algorithms a client may sign its assertions and request objects with: asymmetric only. */
export const CLIENT_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

export interface ClientKeySet {
  keys: JWK[];
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const MIN_RSA_BITS = 2048;

/** Which key type (and curve) each algorithm needs, and the algorithm a key of that type is checked with. */
const ALG_KEY_TYPE: Record<(typeof CLIENT_SIGNING_ALGS)[number], { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};
const DEFAULT_ALG: Record<string, string> = { RSA: 'RS256', EC: 'ES256', OKP: 'EdDSA' };
const CURVES: Record<string, string> = { EC: 'P-256', OKP: 'Ed25519' };

function isSigningAlg(alg: string): alg is (typeof CLIENT_SIGNING_ALGS)[number] {
  return (CLIENT_SIGNING_ALGS as readonly string[]).includes(alg);
}

function rsaBits(modulus: unknown): number {
  return typeof modulus === 'string' ? Buffer.from(modulus, 'base64url').length * 8 : 0;
}

/** What is wrong with one key, in words an administrator can act on; undefined when it is usable. */
async function keyProblem(key: unknown, index: number): Promise<string | undefined> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return `key ${index + 1} is not a JSON object`;
  const jwk = key as JWK & Record<string, unknown>;
  const name = typeof jwk.kid === 'string' && jwk.kid ? `key "${jwk.kid}"` : `key ${index + 1}`;
  if (jwk.kty === 'oct') return `${name} is a symmetric key (kty "oct"); give the client's public keys (RSA, EC or OKP)`;
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') {
    return `${name} has kty ${JSON.stringify(jwk.kty)}; use RSA, EC (P-256) or OKP (Ed25519)`;
  }
  const secret = PRIVATE_MEMBERS.find((member) => jwk[member] !== undefined);
  if (secret) return `${name} contains private key material ("${secret}"); give only the public key, never the private one`;
  if (typeof jwk.kid !== 'string' || !jwk.kid) return `${name} has no kid; give every key a kid, so an assertion can name the key that signed it`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `${name} is for use ${JSON.stringify(jwk.use)}; client assertions need signing keys (use "sig")`;
  if (jwk.alg !== undefined) {
    if (typeof jwk.alg !== 'string' || !isSigningAlg(jwk.alg)) {
      return `${name} has alg ${JSON.stringify(jwk.alg)}; Keyline accepts ${CLIENT_SIGNING_ALGS.join(', ')}`;
    }
    if (ALG_KEY_TYPE[jwk.alg].kty !== jwk.kty) return `${name} has alg ${jwk.alg}, which needs a ${ALG_KEY_TYPE[jwk.alg].kty} key, not ${jwk.kty}`;
  }
  const curve = CURVES[jwk.kty];
  if (curve && jwk.crv !== curve) return `${name} is on curve ${JSON.stringify(jwk.crv)}; Keyline accepts ${jwk.kty} keys on ${curve}`;
  if (jwk.kty === 'RSA' && rsaBits(jwk.n) < MIN_RSA_BITS) return `${name} is an RSA key shorter than ${MIN_RSA_BITS} bits`;
  try {
    await importJWK(jwk, jwk.alg ?? DEFAULT_ALG[jwk.kty]);
  } catch (error) {
    return `${name} is not a valid ${jwk.kty} public key (${(error as Error).message})`;
  }
  return undefined;
}

/**
 * Checks a client's JWK Set before it is registered: public asymmetric signing keys only, each
 * with a kid (unique), a usable `kty`/curve/size and, when given, an `alg` Keyline accepts.
 * Returns the first problem in one line, or undefined.
 */
export async function clientKeysProblem(jwks: unknown): Promise<string | undefined> {
  const keys = (jwks as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return 'a JWK Set needs a "keys" array';
  if (keys.length === 0) return 'the JWK Set has no keys';
  const kids = new Set<string>();
  for (const [index, key] of keys.entries()) {
    const problem = await keyProblem(key, index);
    if (problem) return problem;
    const kid = (key as JWK).kid!;
    if (kids.has(kid)) return `two keys have the kid "${kid}"; each key needs its own`;
    kids.add(kid);
  }
  return undefined;
}

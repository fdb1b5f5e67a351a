import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';

const TYPE = 'keyline-audit-checkpoint+jwt';

export interface CheckpointClaims {
  kind: 'head' | 'pruned';
  seq: number;
  hash: string;
  iat: number;
}

/** Signs a statement about the chain with one of Keyline's signing keys (its private JWK). */
export async function signCheckpoint(claims: CheckpointClaims, privateJwk: JWK): Promise<string> {
  const key = await importJWK(privateJwk, privateJwk.alg);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: privateJwk.alg!, kid: privateJwk.kid, typ: TYPE })
    .sign(key);
}

/** The claims, when the signature verifies under the public key its `kid` names; undefined otherwise. */
export async function verifyCheckpoint(jws: string, publicKeys: ReadonlyMap<string, JWK>): Promise<CheckpointClaims | undefined> {
  try {
    const { kid, typ } = decodeProtectedHeader(jws);
    const jwk = kid ? publicKeys.get(kid) : undefined;
    if (!jwk || typ !== TYPE) return undefined;
    const { payload } = await compactVerify(jws, await importJWK(jwk, jwk.alg));
    return JSON.parse(new TextDecoder().decode(payload)) as CheckpointClaims;
  } catch {
    return undefined;
  }
}

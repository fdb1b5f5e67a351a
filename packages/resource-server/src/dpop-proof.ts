import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { ACCEPTED_ALGORITHMS } from './verify-access-token.ts';

export interface DpopContext {
  method: string;
  /** The request URL; its query and fragment are ignored (RFC 9449 §4.3). */
  url: string;
  accessToken: string;
  /** The key thumbprint the token is bound to (cnf.jkt). */
  jkt: string;
}

/** Remembers proof ids for as long as a proof is acceptable, so a captured proof cannot be replayed. */
export interface ProofReplayCache {
  /** True the first time an id is seen within `ttlSeconds`, false on a replay. */
  firstUse(jti: string, ttlSeconds: number): Promise<boolean>;
}

/** One process's memory; give several API nodes a shared cache (e.g. Redis SET NX) instead. */
export function memoryReplayCache(): ProofReplayCache {
  const seen = new Map<string, number>();
  return {
    async firstUse(jti, ttlSeconds) {
      const now = Date.now();
      for (const [id, until] of seen) if (until < now) seen.delete(id);
      if (seen.has(jti)) return false;
      seen.set(jti, now + ttlSeconds * 1000);
      return true;
    },
  };
}

const MAX_PROOF_AGE_SECONDS = 60;

function htu(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * RFC 9449 §4.3 and §7: the proof is a `dpop+jwt` signed by the key in its own header, whose
 * thumbprint is the token's `cnf.jkt`, for this method and URL, recent, used once, and bound to
 * this access token by `ath`. Throws with the reason otherwise.
 */
export async function verifyDpopProof(proof: string, context: DpopContext, replays: ProofReplayCache): Promise<void> {
  const header = decodeProtectedHeader(proof);
  if (header.typ !== 'dpop+jwt') throw new Error('the DPoP proof is not of type dpop+jwt');
  if (!header.jwk || typeof header.jwk !== 'object') throw new Error('the DPoP proof carries no public key');
  const jwk = header.jwk as JWK;
  if ('d' in jwk) throw new Error('the DPoP proof carries a private key');
  if (await calculateJwkThumbprint(jwk) !== context.jkt) throw new Error('the DPoP proof is signed by another key than the token is bound to');
  const key = await importJWK(jwk, header.alg);
  const { payload } = await jwtVerify(proof, key, {
    typ: 'dpop+jwt', algorithms: ACCEPTED_ALGORITHMS, maxTokenAge: `${MAX_PROOF_AGE_SECONDS}s`, clockTolerance: 5,
  });
  if (payload.htm !== context.method) throw new Error('the DPoP proof is for another HTTP method');
  if (typeof payload.htu !== 'string' || htu(payload.htu) !== htu(context.url)) throw new Error('the DPoP proof is for another URL');
  const ath = createHash('sha256').update(context.accessToken).digest('base64url');
  if (payload.ath !== ath) throw new Error('the DPoP proof is not bound to this access token');
  if (typeof payload.jti !== 'string' || !await replays.firstUse(payload.jti, MAX_PROOF_AGE_SECONDS * 2)) {
    throw new Error('the DPoP proof was used before');
  }
}

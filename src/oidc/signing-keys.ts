import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '../config/schema.ts';
import type { Store, StoredSigningKey } from '../store/store.ts';

const GENERATION_CLAIM = 'signing-keys-generator';

async function generateSigningKey(alg: SigningAlg): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateJwk: { ...jwk, kid, alg, use: 'sig' }, createdAt: new Date() };
}

/**
 * Returns the stored signing keys, generating one per algorithm on first start.
 * Several nodes may start at once on a fresh store: the first to claim generation writes
 * the keys, the others wait for them, so every node publishes and signs with the same set.
 */
export async function ensureSigningKeys(store: Store, timeoutMs = 15_000): Promise<StoredSigningKey[]> {
  let keys = await store.signingKeys.list();
  if (keys.length > 0) return keys;
  const claim = randomUUID();
  if (await store.secrets.putIfAbsent(GENERATION_CLAIM, claim) === claim) {
    for (const alg of SIGNING_ALGS) await store.signingKeys.add(await generateSigningKey(alg));
    return store.signingKeys.list();
  }
  const deadline = Date.now() + timeoutMs;
  while (keys.length < SIGNING_ALGS.length && Date.now() < deadline) {
    await sleep(100);
    keys = await store.signingKeys.list();
  }
  if (keys.length < SIGNING_ALGS.length) throw new Error('another node claimed signing-key generation but no keys appeared');
  return keys;
}

/** The JWKS oidc-provider signs with: for each algorithm, the newest key first. */
export function toProviderJwks(keys: StoredSigningKey[]): { keys: JWK[] } {
  const newestFirst = [...keys].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { keys: newestFirst.map((key) => key.privateJwk as JWK) };
}

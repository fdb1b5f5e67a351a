import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '../config/schema.ts';
import type { Store, StoredSigningKey } from '../store/store.ts';

/** One claim per algorithm, so an algorithm added in a later version is generated once on an existing store too. */
const generationClaim = (alg: SigningAlg) => `signing-key-generator:${alg}`;

async function generateSigningKey(alg: SigningAlg): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateJwk: { ...jwk, kid, alg, use: 'sig' }, createdAt: new Date() };
}

const hasAlg = (keys: StoredSigningKey[], alg: string) => keys.some((key) => key.alg === alg);

/**
 * Returns the stored signing keys, generating one for each algorithm that has none yet.
 * Several nodes may start at once: for each algorithm the first to claim generation writes the
 * key, the others wait for it, so every node publishes and signs with the same set.
 */
export async function ensureSigningKeys(store: Store, timeoutMs = 15_000): Promise<StoredSigningKey[]> {
  let keys = await store.signingKeys.list();
  const missing = SIGNING_ALGS.filter((alg) => !hasAlg(keys, alg));
  if (missing.length === 0) return keys;
  const claim = randomUUID();
  const awaited: SigningAlg[] = [];
  for (const alg of missing) {
    if (await store.secrets.putIfAbsent(generationClaim(alg), claim) === claim) {
      await store.signingKeys.add(await generateSigningKey(alg));
    } else {
      awaited.push(alg);
    }
  }
  const deadline = Date.now() + timeoutMs;
  keys = await store.signingKeys.list();
  while (awaited.some((alg) => !hasAlg(keys, alg)) && Date.now() < deadline) {
    await sleep(100);
    keys = await store.signingKeys.list();
  }
  const absent = awaited.filter((alg) => !hasAlg(keys, alg));
  if (absent.length) throw new Error(`another node claimed ${absent.join(', ')} signing-key generation but no key appeared`);
  return keys;
}

/** The JWKS oidc-provider signs with: for each algorithm, the newest key first. */
export function toProviderJwks(keys: StoredSigningKey[]): { keys: JWK[] } {
  const newestFirst = [...keys].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { keys: newestFirst.map((key) => key.privateJwk as JWK) };
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);

/** The same keys without their private parts, for verifying what Keyline signed. */
export function toPublicJwks(keys: StoredSigningKey[]): { keys: JWK[] } {
  return {
    keys: toProviderJwks(keys).keys.map((jwk) => Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member))) as JWK),
  };
}

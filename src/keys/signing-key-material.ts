import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { StoredSigningKey } from '../store/store.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { isSealed } from './secret-cipher.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv'];

export function associatedDataFor(kid: string): string {
  return `signing-key:${kid}`;
}

export interface GeneratedKey {
  kid: string;
  jwk: JWK;
}

export async function generateSigningJwk(alg: string): Promise<GeneratedKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

export function sealPrivateJwk(cipher: SecretCipher, kid: string, jwk: JWK): string {
  return cipher.encrypt(JSON.stringify(jwk), associatedDataFor(kid));
}

/** The private JWK; stores written before encryption hold JSON text, which `keyline migrate` seals. */
export function openPrivateJwk(cipher: SecretCipher, key: Pick<StoredSigningKey, 'kid' | 'privateJwk'>): JWK {
  const text = isSealed(key.privateJwk) ? cipher.decrypt(key.privateJwk, associatedDataFor(key.kid)) : key.privateJwk;
  return JSON.parse(text) as JWK;
}

export function publicJwkOf(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.includes(member))) as JWK;
}

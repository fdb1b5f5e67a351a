import { openUpstreamSecret, sealUpstreamSecret } from '../federation/upstream-secrets.ts';
import type { SecretName } from '../federation/upstream-settings.ts';
import { openAuthorizationHeader, sealAuthorizationHeader } from '../signals/stream-authorization.ts';
import type { Store } from '../store/store.ts';
import { isSealed, type SecretCipher } from './secret-cipher.ts';
import { secretAssociatedData } from './sealed-secrets.ts';
import { openPrivateJwk, sealPrivateJwk } from './signing-key-material.ts';

export interface ResealReport {
  signingKeys: { encrypted: number; reencrypted: number };
  secrets: { encrypted: number; reencrypted: number };
  /** Push receivers' authorization headers (always sealed, so only ever re-encrypted). */
  streamHeaders: { reencrypted: number };
  /** Upstream identity providers' client secrets, bind passwords and keys (always sealed). */
  upstreamSecrets: { reencrypted: number };
}

/**
 * `keyline migrate`: seals what is stored in plaintext (stores from before encryption) and
 * re-seals under the newest secrets key what an older one sealed, so the old key can then be
 * dropped from KEYLINE_SECRETS_KEY. Each replacement is conditional on the value read, so a
 * concurrent writer is never overwritten; running it again changes nothing.
 */
export async function resealStoredSecrets(store: Store, cipher: SecretCipher): Promise<ResealReport> {
  const report: ResealReport = {
    signingKeys: { encrypted: 0, reencrypted: 0 }, secrets: { encrypted: 0, reencrypted: 0 }, streamHeaders: { reencrypted: 0 },
    upstreamSecrets: { reencrypted: 0 },
  };
  for (const key of await store.signingKeys.list()) {
    if (cipher.isSealedUnderCurrentKey(key.privateJwk)) continue;
    const wasSealed = isSealed(key.privateJwk);
    const next = sealPrivateJwk(cipher, key.kid, openPrivateJwk(cipher, key));
    if (await store.signingKeys.replacePrivateJwk(key.kid, key.privateJwk, next)) {
      report.signingKeys[wasSealed ? 'reencrypted' : 'encrypted'] += 1;
    }
  }
  for (const name of await store.secrets.names()) {
    const value = await store.secrets.get(name);
    if (value === undefined || cipher.isSealedUnderCurrentKey(value)) continue;
    const wasSealed = isSealed(value);
    const plaintext = wasSealed ? cipher.decrypt(value, secretAssociatedData(name)) : value;
    if (await store.secrets.replace(name, value, cipher.encrypt(plaintext, secretAssociatedData(name)))) {
      report.secrets[wasSealed ? 'reencrypted' : 'encrypted'] += 1;
    }
  }
  for (const stream of await store.streams.list()) {
    const sealed = stream.authorizationHeader;
    if (sealed === null || cipher.isSealedUnderCurrentKey(sealed)) continue;
    const next = sealAuthorizationHeader(cipher, stream.id, openAuthorizationHeader(cipher, stream.id, sealed));
    if (await store.streams.replaceAuthorizationHeader(stream.id, sealed, next)) report.streamHeaders.reencrypted += 1;
  }
  for (const upstream of await store.upstreams.list()) {
    const stale = Object.entries(upstream.sealedSecrets).filter(([, sealed]) => !cipher.isSealedUnderCurrentKey(sealed));
    if (stale.length === 0) continue;
    const next = { ...upstream.sealedSecrets };
    for (const [name] of stale) next[name] = sealUpstreamSecret(cipher, upstream.id, name as SecretName, openUpstreamSecret(cipher, upstream, name as SecretName)!);
    if (await store.upstreams.replaceSealedSecrets(upstream.id, upstream.sealedSecrets, next)) report.upstreamSecrets.reencrypted += stale.length;
  }
  return report;
}

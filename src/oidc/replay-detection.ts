import { hash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Store } from '../store/store.ts';

/**
 * oidc-provider refuses a reused client assertion or DPoP proof by looking its `jti` up and then
 * saving it: two nodes (or two requests) racing with the same proof both pass that look-up. Here
 * the first use is decided by the store's atomic consume instead, so a replay loses on every node.
 */
export function detectReplaysAtomically(provider: Provider, store: Store): void {
  const model = provider.ReplayDetection as unknown as { unique(iss: string, jti: string, exp: number): Promise<boolean> };
  model.unique = (iss: string, jti: string, exp: number): Promise<boolean> => firstUse(store, iss, jti, exp);
}

/**
 * True for the one caller, on any node, that first presents this `jti` of `iss` (remembered until
 * `exp`, epoch seconds); false for every replay, concurrent or later. Also used for the tokens
 * upstreams send Keyline (logout tokens, security event tokens).
 */
export async function firstUse(store: Store, iss: string, jti: string, exp: number): Promise<boolean> {
  const id = hash('sha256', `${iss}${jti}`, 'base64url');
  const secondsLeft = Math.max(1, exp - Math.floor(Date.now() / 1000));
  await store.oidc.upsert('ReplayDetection', id, { iss, jti: id, kind: 'ReplayDetection' }, secondsLeft);
  return store.oidc.consume('ReplayDetection', id);
}

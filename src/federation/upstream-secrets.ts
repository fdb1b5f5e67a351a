import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import type { UpstreamRecord } from '../store/store.ts';
import type { SecretName } from './upstream-settings.ts';

/**
 * An upstream's secrets at rest: each sealed by the secrets cipher with associated data naming the
 * upstream and the secret, so a sealed value copied to another upstream (or another secret's slot)
 * never opens. Connectors open one at the moment they use it and keep it no longer.
 */
const associatedData = (upstreamId: string, name: SecretName) => `upstream:${upstreamId}:${name}`;

export function sealUpstreamSecret(sealer: SecretSealer, upstreamId: string, name: SecretName, value: string): string {
  return sealer.encrypt(value, associatedData(upstreamId, name));
}

/** The secret in the clear, or undefined when the upstream has none of that name. */
export function openUpstreamSecret(sealer: SecretSealer, upstream: UpstreamRecord, name: SecretName): string | undefined {
  const sealed = upstream.sealedSecrets[name];
  return sealed === undefined ? undefined : sealer.decrypt(sealed, associatedData(upstream.id, name));
}

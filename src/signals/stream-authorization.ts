import type { SecretCipher } from '../keys/secret-cipher.ts';

/**
 * The Authorization header a push receiver asked Keyline to send is the receiver's credential:
 * it is stored sealed (AES-256-GCM under the secrets key, bound to its stream), never shown back
 * by the management API, and never logged.
 */
export function sealAuthorizationHeader(cipher: SecretCipher, streamId: string, header: string): string {
  return cipher.encrypt(header, associatedData(streamId));
}

export function openAuthorizationHeader(cipher: SecretCipher, streamId: string, sealed: string): string {
  return cipher.decrypt(sealed, associatedData(streamId));
}

function associatedData(streamId: string): string {
  return `ssf-stream:${streamId}:authorization`;
}

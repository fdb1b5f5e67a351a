import { createHash } from 'node:crypto';

/**
 * The id of the account made just-in-time for an upstream identity: derived from (upstream,
 * subject), shaped like a UUID (version 8, RFC 9562). Every node that provisions the same identity
 * at once writes the same account, so a lost race can never leave a second, orphaned one. (JSON
 * keeps the two parts apart whatever characters a subject has.)
 */
export function federatedAccountId(upstreamId: string, subject: string): string {
  const digest = createHash('sha256').update(JSON.stringify(['keyline-federated-account', upstreamId, subject])).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

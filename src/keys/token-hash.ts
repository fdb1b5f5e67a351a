import { hash } from 'node:crypto';

/**
 * What the store keeps instead of a bearer value (a mail link's token, an OAuth token, a user
 * code): its SHA-256, so a copy of the database yields nothing that can be presented. The values
 * are random enough (or short-lived enough) that a fast hash is the right one.
 */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'base64url');
}

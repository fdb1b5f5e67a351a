import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG; too much entropy for guessing, so a fast hash is the right storage. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

const PREFIX = 'sha256:';

export function hashClientSecret(secret: string): string {
  return PREFIX + hash('sha256', secret, 'base64url');
}

export function isHashedClientSecret(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function clientSecretMatches(storedHash: string | undefined, presented: string): boolean {
  if (!storedHash?.startsWith(PREFIX)) return false;
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashClientSecret(presented), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

import argon2 from 'argon2';

/** OWASP's argon2id baseline: m=19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash to verify against when the account does not exist, so both cases cost the same time.
 * createApp awaits it at start, so not even the first unknown-email login pays for building it.
 */
export function hashForUnknownAccounts(): Promise<string> {
  dummyHash ??= hashPassword('keyline-unknown-account-placeholder');
  return dummyHash;
}

import type { StoredSigningKey } from '../store/store.ts';

/** Refusals of `keyline keys`; each message says what to do instead. */
export class SigningKeyInUseError extends Error {
  constructor(key: StoredSigningKey) {
    super(`${key.kid} is the ${key.alg} signing key: replace it with \`keyline keys rotate --now --alg ${key.alg}\` instead`);
    this.name = 'SigningKeyInUseError';
  }
}

export class KeyAlreadyRetiredError extends Error {
  constructor(kid: string) {
    super(`signing key ${kid} is already retired`);
    this.name = 'KeyAlreadyRetiredError';
  }
}

export class SigningKeyNotFoundError extends Error {
  constructor(kid: string) {
    super(`no signing key with kid ${kid}`);
    this.name = 'SigningKeyNotFoundError';
  }
}

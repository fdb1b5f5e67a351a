import type { Secrets } from '../store/store.ts';
import { isSealed, type SecretCipher } from './secret-cipher.ts';

export function secretAssociatedData(name: string): string {
  return `secret:${name}`;
}

/**
 * Keyline's own named secrets (generated cookie keys, the CSRF secret), encrypted in the store.
 * Values written before encryption are read as they are until `keyline migrate` seals them.
 */
export class SealedSecrets {
  readonly #secrets: Secrets;
  readonly #cipher: SecretCipher;

  constructor(secrets: Secrets, cipher: SecretCipher) {
    this.#secrets = secrets;
    this.#cipher = cipher;
  }

  async get(name: string): Promise<string | undefined> {
    const stored = await this.#secrets.get(name);
    return stored === undefined ? undefined : this.#open(name, stored);
  }

  /** The stored value, or `generate()`'s, stored now; every node ends up with the first writer's value. */
  async getOrCreate(name: string, generate: () => string): Promise<{ value: string; created: boolean }> {
    const existing = await this.get(name);
    if (existing !== undefined) return { value: existing, created: false };
    const sealed = this.#cipher.encrypt(generate(), secretAssociatedData(name));
    const kept = await this.#secrets.putIfAbsent(name, sealed);
    return { value: this.#open(name, kept), created: kept === sealed };
  }

  #open(name: string, stored: string): string {
    return isSealed(stored) ? this.#cipher.decrypt(stored, secretAssociatedData(name)) : stored;
  }
}

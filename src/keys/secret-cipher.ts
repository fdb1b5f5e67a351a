import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from 'node:crypto';
import { SecretsKeyError } from './secrets-key-error.ts';

const FORMAT = 'kl1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * An operator's secret (any string of 32+ characters, e.g. `openssl rand -base64 32`) becomes a
 * 256-bit AES key through HKDF, and is named by a short fingerprint so a sealed value says which
 * key sealed it; the fingerprint reveals nothing useful about the key.
 */
function deriveKey(secret: string): KeyEncryptionKey {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'keyline', 'keyline secrets at rest v1', 32));
  const id = hash('sha256', key, 'base64url').slice(0, 8);
  return { id, key };
}

/**
 * AES-256-GCM for every secret Keyline keeps in its store (private signing keys, generated cookie
 * keys, later TOTP secrets). The associated data names what a value is (e.g. `signing-key:<kid>`),
 * so a sealed value copied onto another record does not decrypt there. Several keys can be
 * configured, newest first: the newest seals, every one of them opens.
 *
 * Sealed form: `kl1.<key id>.<iv>.<ciphertext>.<tag>`, base64url parts.
 */
export class SecretCipher {
  readonly #keys: KeyEncryptionKey[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new SecretsKeyError('no secrets key given');
    this.#keys = secrets.map(deriveKey);
  }

  /** The fingerprint of the key that seals new values. */
  get currentKeyId(): string {
    return this.#keys[0]!.id;
  }

  encrypt(plaintext: string, associatedData: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  decrypt(sealed: string, associatedData: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) throw new SecretsKeyError(`${associatedData} is not a sealed value`);
    const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    const kek = this.#keys.find((candidate) => candidate.id === keyId);
    if (!kek) {
      throw new SecretsKeyError(`${associatedData} was encrypted under secrets key ${keyId}, which is not among the configured keys (${this.#keys.map((k) => k.id).join(', ')}): set KEYLINE_SECRETS_KEY to the key it was created with (several keys may be given, newest first)`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsKeyError(`${associatedData} does not decrypt under secrets key ${keyId}: the stored value was altered or belongs to another record`);
    }
  }

  /** True when the value is sealed under the newest key: `keyline migrate` re-seals the others. */
  isSealedUnderCurrentKey(value: string): boolean {
    return value.startsWith(`${FORMAT}.${this.currentKeyId}.`);
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${FORMAT}.`);
}

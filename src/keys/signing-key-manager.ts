import type { JWK } from 'jose';
import type { Logger } from '../logger.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { Store, StoredSigningKey } from '../store/store.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { isSealed } from './secret-cipher.ts';
import { generateSigningJwk, openPrivateJwk, publicJwkOf, sealPrivateJwk } from './signing-key-material.ts';
import type { SigningKeyPolicy } from './signing-key-policy.ts';
import { keySetAt, keysDue, type KeySetView, type NextKey } from './signing-key-schedule.ts';
import { KeyAlreadyRetiredError, SigningKeyInUseError, SigningKeyNotFoundError } from './signing-key-errors.ts';

export type Clock = () => number;

export interface SigningKeyManagerOptions {
  store: Store;
  cipher: SecretCipher;
  policy: SigningKeyPolicy;
  algorithms: readonly string[];
  logger: Logger;
  clock?: Clock;
}

export interface RotationResult {
  alg: string;
  kid: string;
  activatesAt: Date;
  /** Keys retired at once (`--now`). */
  retired: string[];
}

/**
 * The signing-key lifecycle: generation, pre-publication, rotation and retirement, agreed between
 * nodes through the store. `refresh()` adds whatever key is due (the unique (alg, sequence) in the
 * store lets exactly one node add it), reads the keys back and recomputes the view; listeners hear
 * when what is published or what signs has changed.
 */
export class SigningKeyManager {
  readonly #options: SigningKeyManagerOptions;
  readonly #clock: Clock;
  readonly #listeners: Array<(view: KeySetView) => void> = [];
  readonly #privateJwks = new Map<string, JWK>();
  #view: KeySetView | undefined;
  #timer: NodeJS.Timeout | undefined;
  #warnedPlaintext = false;

  constructor(options: SigningKeyManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  get view(): KeySetView {
    if (!this.#view) throw new Error('signing keys not loaded yet: call refresh() first');
    return this.#view;
  }

  /**
   * The private JWKs oidc-provider signs with, in JWKS order: algorithms in the order of
   * `algorithms` (discovery lists its `*_signing_alg_values_supported` in the JWKS's order), and
   * within one the signing key first.
   */
  providerJwks(): { keys: JWK[] } {
    const rank = (alg: string) => this.#options.algorithms.indexOf(alg);
    const ordered = [...this.view.published].sort((a, b) => rank(a.alg) - rank(b.alg));
    return { keys: ordered.map((key) => this.#privateJwkOf(key)) };
  }

  /** The private JWK that signs for `alg` now (audit checkpoints use Keyline's default, RS256). */
  signingJwk(alg = 'RS256'): JWK {
    const key = this.view.signing.get(alg) ?? this.view.published[0];
    if (!key) throw new Error('there is no signing key yet');
    return this.#privateJwkOf(key);
  }

  /** The public JWK of every key ever stored, retired ones too: checkpoints they signed must still verify. */
  allPublicJwks(): Map<string, JWK> {
    return new Map(this.view.keys.map(({ key }) => [key.kid, publicJwkOf(this.#privateJwkOf(key))]));
  }

  onChange(listener: (view: KeySetView) => void): void {
    this.#listeners.push(listener);
  }

  /** Adds due keys, reloads, and tells listeners when the view changed. Returns whether it changed. */
  async refresh({ maintain = true }: { maintain?: boolean } = {}): Promise<boolean> {
    let keys = await this.#options.store.signingKeys.list();
    if (maintain) {
      const due = keysDue(keys, this.#options.algorithms, this.#clock(), this.#options.policy);
      if (due.length > 0) {
        for (const next of due) await this.#addKey(next);
        keys = await this.#options.store.signingKeys.list();
      }
    }
    this.#warnAboutPlaintext(keys);
    const view = keySetAt(keys, this.#clock(), this.#options.policy);
    for (const key of view.published) this.#privateJwkOf(key);
    const changed = view.fingerprint !== this.#view?.fingerprint;
    this.#view = view;
    if (changed) for (const listener of this.#listeners) listener(view);
    return changed;
  }

  /** Checks the store every `intervalMs`; a failed check (store down) is logged and retried next time. */
  startChecking(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.#options.logger.warn({ err: error }, 'signing-key check failed; retrying at the next interval'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Starts a rotation for each algorithm: a new key, published now and signing after the
   * pre-publication window, or at once with `immediately` (a suspected compromise), which also
   * retires every other key of the algorithm so tokens they signed stop verifying.
   */
  async rotate({ immediately, algorithms }: { immediately: boolean; algorithms?: readonly string[] }): Promise<RotationResult[]> {
    const results: RotationResult[] = [];
    for (const alg of algorithms ?? this.#options.algorithms) {
      const now = this.#clock();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const keys = (await this.#options.store.signingKeys.list()).filter((key) => key.alg === alg);
        const sequence = (keys.at(-1)?.sequence ?? 0) + 1;
        const activatesAt = new Date(immediately ? now : now + this.#options.policy.prePublishMs);
        const kid = await this.#addKey({ alg, sequence, activatesAt });
        if (!kid) continue;
        const retired: string[] = [];
        if (immediately) {
          for (const key of keys) {
            if (await this.#options.store.signingKeys.retire(key.kid, new Date(now))) retired.push(key.kid);
          }
        }
        results.push({ alg, kid, activatesAt, retired });
        break;
      }
    }
    await this.refresh({ maintain: false });
    return results;
  }

  /** Takes one key out of the JWKS now. The signing key of an algorithm is refused: rotate it instead. */
  async retire(kid: string): Promise<StoredSigningKey> {
    await this.refresh({ maintain: false });
    const entry = this.view.keys.find((candidate) => candidate.key.kid === kid);
    if (!entry) throw new SigningKeyNotFoundError(kid);
    if (entry.status === 'signing') throw new SigningKeyInUseError(entry.key);
    if (entry.status === 'retired') throw new KeyAlreadyRetiredError(kid);
    await this.#options.store.signingKeys.retire(kid, new Date(this.#clock()));
    await this.refresh({ maintain: false });
    return entry.key;
  }

  async #addKey(next: NextKey): Promise<string | undefined> {
    const { kid, jwk } = await generateSigningJwk(next.alg);
    const now = this.#clock();
    try {
      await this.#options.store.signingKeys.add({
        kid,
        alg: next.alg,
        sequence: next.sequence,
        privateJwk: sealPrivateJwk(this.#options.cipher, kid, jwk),
        createdAt: new Date(now),
        activatesAt: next.activatesAt,
        retiredAt: null,
      });
    } catch (error) {
      // Another node added this algorithm's next key first; the caller reads that one back.
      if (error instanceof DuplicateError) return undefined;
      throw error;
    }
    this.#privateJwks.set(kid, jwk);
    this.#options.logger.info({ event: 'key.generated', kid, alg: next.alg, sequence: next.sequence, activatesAt: next.activatesAt.toISOString() }, 'signing key generated');
    return kid;
  }

  #privateJwkOf(key: StoredSigningKey): JWK {
    let jwk = this.#privateJwks.get(key.kid);
    if (!jwk) {
      jwk = openPrivateJwk(this.#options.cipher, key);
      this.#privateJwks.set(key.kid, jwk);
    }
    return jwk;
  }

  #warnAboutPlaintext(keys: StoredSigningKey[]): void {
    if (this.#warnedPlaintext) return;
    const plaintext = keys.filter((key) => !isSealed(key.privateJwk)).length;
    if (plaintext === 0) return;
    this.#warnedPlaintext = true;
    this.#options.logger.warn({ plaintextKeys: plaintext }, 'signing keys are stored unencrypted: run `npx keyline migrate` to encrypt them');
  }
}

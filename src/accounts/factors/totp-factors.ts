import { randomUUID } from 'node:crypto';
import type { FactorRecord, Store } from '../../store/store.ts';
import type { SecretSealer } from './secret-sealer.ts';
import { matchingTotpStep, newTotpSecret, totpUri } from './totp.ts';

const ENROLMENT_MODEL = 'TotpEnrolment';
const ENROLMENT_SECONDS = 15 * 60;

const sealedFor = (id: string) => `totp-secret:${id}`;

export interface TotpEnrolment {
  /** Names the pending enrolment in the confirmation form; worthless without the account's session. */
  id: string;
  secret: string;
  uri: string;
}

/**
 * Authenticator apps (RFC 6238). The seed is sealed under the secrets key the moment it is made,
 * in a pending enrolment that only a correct code turns into a factor; a code is accepted once:
 * its time step must be later than the last one accepted, moved by one conditional write.
 */
export class TotpFactors {
  readonly #store: Store;
  readonly #sealer: SecretSealer;

  constructor(store: Store, sealer: SecretSealer) {
    this.#store = store;
    this.#sealer = sealer;
  }

  async startEnrolment(accountId: string, accountName: string, issuerName: string): Promise<TotpEnrolment> {
    const id = randomUUID();
    const secret = newTotpSecret();
    await this.#store.oidc.upsert(ENROLMENT_MODEL, id, { accountId, sealedSecret: this.#sealer.encrypt(secret, sealedFor(id)) }, ENROLMENT_SECONDS);
    return { id, secret, uri: totpUri(secret, issuerName, accountName) };
  }

  /** The pending enrolment's secret again (to show the same QR code after a wrong code), if it is this account's. */
  async pendingSecret(accountId: string, enrolmentId: string): Promise<string | undefined> {
    const pending = await this.#store.oidc.find(ENROLMENT_MODEL, enrolmentId);
    if (!pending || pending.accountId !== accountId || typeof pending.sealedSecret !== 'string') return undefined;
    return this.#sealer.decrypt(pending.sealedSecret, sealedFor(enrolmentId));
  }

  /**
   * Turns the pending enrolment into a factor when the code matches; undefined otherwise, or when
   * `claim` (asked only once the code matched) says another request already set one up.
   */
  async confirmEnrolment(
    accountId: string, enrolmentId: string, code: string, name: string, claim: () => Promise<boolean> = async () => true,
  ): Promise<FactorRecord | undefined> {
    const secret = await this.pendingSecret(accountId, enrolmentId);
    const step = secret === undefined ? undefined : matchingTotpStep(secret, code);
    if (secret === undefined || step === undefined) return undefined;
    if (!await this.#store.oidc.consume(ENROLMENT_MODEL, enrolmentId) || !await claim()) return undefined;
    const id = randomUUID();
    const factor: FactorRecord = {
      id,
      accountId,
      type: 'totp',
      name,
      counter: step,
      credentialId: null,
      data: { sealedSecret: this.#sealer.encrypt(secret, sealedFor(id)) },
      createdAt: new Date(),
      lastUsedAt: new Date(),
    };
    await this.#store.factors.add(factor);
    await this.#store.oidc.destroy(ENROLMENT_MODEL, enrolmentId);
    return factor;
  }

  /** True once for a code from any of the account's apps; a replay, an older or a wrong code is false. */
  async verify(accountId: string, code: string): Promise<boolean> {
    const factors = (await this.#store.factors.listByAccount(accountId)).filter((factor) => factor.type === 'totp');
    for (const factor of factors) {
      const secret = this.#sealer.decrypt(String(factor.data.sealedSecret), sealedFor(factor.id));
      const step = matchingTotpStep(secret, code);
      if (step !== undefined && step > factor.counter) return this.#store.factors.recordUse(factor.id, factor.counter, step);
    }
    return false;
  }
}

import type { AmrValue } from '../../accounts/authentication-level.ts';
import type { Store } from '../../store/store.ts';

const MODEL = 'SignInProgress';
/** The enrolment claim lives beside the progress, under an id no interaction uid can take. */
const enrolmentClaimId = (interactionUid: string) => `${interactionUid}:enrolment`;

/**
 * What an interaction has proven so far, kept in the store under the interaction's id, so a
 * second-factor step can only continue what an earlier step of the same interaction started,
 * on whichever node the next request lands. It expires with the interaction.
 */
export interface SignInProgress {
  [key: string]: unknown;
  accountId: string;
  amr: AmrValue[];
  remember: boolean;
  /** Epoch seconds of the first factor, reported as auth_time. */
  authTime: number;
  /** Set after a recovery code was used, to say how many are left before continuing. */
  recoveryCodesLeft?: number;
  /** Recovery codes just generated, shown once on the next page. Sealed: they are secrets. */
  sealedNewRecoveryCodes?: string;
  /** The authenticator-app enrolment the enrolment page is showing, while one is pending. */
  pendingTotpEnrolment?: string;
  /** A second factor was set up in this interaction: it ends at the level proven before (see next-step.ts). */
  enrolledDuringSignIn?: true;
}

export class SignInProgressStore {
  readonly #store: Store;
  readonly #ttlSeconds: number;

  constructor(store: Store, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  async load(interactionUid: string): Promise<SignInProgress | undefined> {
    return await this.#store.oidc.find(MODEL, interactionUid) as SignInProgress | undefined;
  }

  async save(interactionUid: string, progress: SignInProgress): Promise<void> {
    await this.#store.oidc.upsert(MODEL, interactionUid, progress, this.#ttlSeconds);
  }

  /**
   * True for exactly one caller per interaction, however many ask at once and on whichever node:
   * a sign-in sets up at most one second factor. (Re-saving a consumed record never makes it
   * usable again, on either store.)
   */
  async claimEnrolment(interactionUid: string): Promise<boolean> {
    await this.#store.oidc.upsert(MODEL, enrolmentClaimId(interactionUid), {}, this.#ttlSeconds);
    return this.#store.oidc.consume(MODEL, enrolmentClaimId(interactionUid));
  }

  async forget(interactionUid: string): Promise<void> {
    await this.#store.oidc.destroy(MODEL, interactionUid);
  }
}

/** The progress after one more method passed. */
export function withMethods(progress: SignInProgress, methods: readonly AmrValue[]): SignInProgress {
  return { ...progress, amr: [...new Set([...progress.amr, ...methods])] };
}

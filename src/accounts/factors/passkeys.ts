import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { FactorRecord, Store } from '../../store/store.ts';
import type { AmrValue } from '../authentication-level.ts';

const CHALLENGE_MODEL = 'WebAuthnChallenge';

/** Who the passkeys belong to: Keyline's own origin, taken from the issuer. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyOf(issuer: string, name: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name };
}

/** What a challenge is for and who may answer it: the interaction (or session) it was made for. */
export interface ChallengeBinding {
  boundTo: string;
  accountId?: string;
}

interface StoredChallenge extends ChallengeBinding {
  [key: string]: unknown;
  challenge: string;
}

export interface IssuedOptions<T> {
  /** Sent back with the answer, to find the challenge; useless without the binding. */
  challengeId: string;
  options: T;
}

export interface PasskeyUse {
  factor: FactorRecord;
  amr: AmrValue[];
}

interface PasskeyData {
  publicKey: string;
  transports?: string[];
  backupEligible: boolean;
  aaguid?: string;
}

/**
 * Passkeys (WebAuthn Level 2/3) through @simplewebauthn/server: no CBOR or attestation parsing of
 * our own. Challenges live in the store, bound to the interaction (or session) that asked, expire
 * with it, and are consumed by one atomic write, so each is answered at most once, on any node.
 * Signature counters only move forward (the library refuses a counter that went back), and a
 * credential's backup eligibility may never change after registration (WebAuthn §6.1.3).
 */
export class Passkeys {
  readonly #store: Store;
  readonly #rp: RelyingParty;
  readonly #challengeSeconds: number;

  constructor(store: Store, rp: RelyingParty, challengeSeconds: number) {
    this.#store = store;
    this.#rp = rp;
    this.#challengeSeconds = challengeSeconds;
  }

  async #remember(challenge: string, binding: ChallengeBinding): Promise<string> {
    const challengeId = randomUUID();
    const record: StoredChallenge = { challenge, ...binding };
    await this.#store.oidc.upsert(CHALLENGE_MODEL, challengeId, record, this.#challengeSeconds);
    return challengeId;
  }

  /** The stored challenge, consumed, when it exists, is unused and belongs to this binding. */
  async #take(challengeId: string, binding: ChallengeBinding): Promise<StoredChallenge | undefined> {
    const stored = await this.#store.oidc.find(CHALLENGE_MODEL, challengeId) as StoredChallenge | undefined;
    if (!stored || stored.boundTo !== binding.boundTo || (stored.accountId ?? undefined) !== (binding.accountId ?? undefined)) return undefined;
    return await this.#store.oidc.consume(CHALLENGE_MODEL, challengeId) ? stored : undefined;
  }

  async registrationOptions(
    account: { id: string; email: string; name: string | null },
    boundTo: string,
  ): Promise<IssuedOptions<PublicKeyCredentialCreationOptionsJSON>> {
    const existing = (await this.#store.factors.listByAccount(account.id)).filter((factor) => factor.type === 'webauthn');
    const options = await generateRegistrationOptions({
      rpName: this.#rp.name,
      rpID: this.#rp.id,
      userName: account.email,
      userDisplayName: account.name ?? account.email,
      userID: new TextEncoder().encode(account.id),
      attestationType: 'none',
      excludeCredentials: existing.map((factor) => ({ id: factor.credentialId!, transports: (factor.data as unknown as PasskeyData).transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return { challengeId: await this.#remember(options.challenge, { boundTo, accountId: account.id }), options };
  }

  /**
   * Verifies the new credential and keeps it; undefined when the answer does not verify, or when
   * `claim` (asked only once the answer verified) says another request already set one up.
   */
  async register(
    accountId: string, boundTo: string, challengeId: string, response: RegistrationResponseJSON, name: string,
    claim: () => Promise<boolean> = async () => true,
  ): Promise<FactorRecord | undefined> {
    const stored = await this.#take(challengeId, { boundTo, accountId });
    if (!stored) return undefined;
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response, expectedChallenge: stored.challenge, expectedOrigin: this.#rp.origin, expectedRPID: this.#rp.id, requireUserVerification: false,
      });
    } catch {
      return undefined;
    }
    if (!verification.verified || !await claim()) return undefined;
    const { credential, credentialDeviceType, aaguid } = verification.registrationInfo;
    const data: PasskeyData = {
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      ...(credential.transports ? { transports: credential.transports } : {}),
      backupEligible: credentialDeviceType === 'multiDevice',
      aaguid,
    };
    const factor: FactorRecord = {
      id: randomUUID(), accountId, type: 'webauthn', name, counter: credential.counter, credentialId: credential.id,
      data: data as unknown as Record<string, unknown>, createdAt: new Date(), lastUsedAt: null,
    };
    await this.#store.factors.add(factor);
    return factor;
  }

  /**
   * Options to sign in with. Without an account: any passkey for this site (a discoverable
   * credential, the browser lets the user pick), with user verification required, since the
   * passkey is then the only factor. With one: that account's passkeys, as a second factor.
   */
  async authenticationOptions(boundTo: string, accountId?: string): Promise<IssuedOptions<PublicKeyCredentialRequestOptionsJSON>> {
    const allowCredentials = accountId
      ? (await this.#store.factors.listByAccount(accountId)).filter((factor) => factor.type === 'webauthn')
        .map((factor) => ({ id: factor.credentialId!, transports: (factor.data as unknown as PasskeyData).transports }))
      : undefined;
    const options = await generateAuthenticationOptions({
      rpID: this.#rp.id,
      ...(allowCredentials ? { allowCredentials } : {}),
      userVerification: accountId ? 'preferred' : 'required',
    });
    return { challengeId: await this.#remember(options.challenge, { boundTo, ...(accountId ? { accountId } : {}) }), options };
  }

  /** The passkey that signed the challenge, and the methods it proves; undefined when anything is off. */
  async authenticate(boundTo: string, challengeId: string, response: AuthenticationResponseJSON, accountId?: string): Promise<PasskeyUse | undefined> {
    const stored = await this.#take(challengeId, { boundTo, ...(accountId ? { accountId } : {}) });
    const factor = stored && await this.#store.factors.findByCredentialId(response.id);
    if (!stored || !factor || factor.type !== 'webauthn' || (accountId && factor.accountId !== accountId)) return undefined;
    const data = factor.data as unknown as PasskeyData;
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: stored.challenge,
        expectedOrigin: this.#rp.origin,
        expectedRPID: this.#rp.id,
        credential: { id: factor.credentialId!, publicKey: Buffer.from(data.publicKey, 'base64url'), counter: factor.counter, transports: data.transports },
        requireUserVerification: !accountId,
      });
    } catch {
      return undefined;
    }
    const info = verification.authenticationInfo;
    if (!verification.verified || (info.credentialDeviceType === 'multiDevice') !== data.backupEligible) return undefined;
    // Authenticators without a counter always say 0; the single-use challenge covers them.
    const recorded = await this.#store.factors.recordUse(factor.id, factor.counter, info.newCounter);
    if (!recorded && info.newCounter > 0) return undefined;
    const key: AmrValue = data.backupEligible ? 'swk' : 'hwk';
    const amr: AmrValue[] = info.userVerified ? [key, 'user', 'mfa'] : [key, 'user'];
    return { factor, amr };
  }
}

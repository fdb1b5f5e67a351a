import { ACR, levelOf, satisfies, strongest, type AcrValue } from '../../accounts/authentication-level.ts';
import type { FactorRecord } from '../../store/store.ts';
import type { SignInProgress } from './sign-in-progress.ts';

export type SecondFactorKind = 'totp' | 'passkey' | 'recovery-code';

export type NextStep =
  | { step: 'identify' }
  | { step: 'second-factor'; offer: SecondFactorKind[] }
  | { step: 'enrol'; passkeyOnly: boolean }
  | { step: 'show-recovery-codes' }
  | { step: 'recovery-codes-left'; left: number }
  /** The account has second factors, none of which can reach what the request needs: the app is told so. */
  | { step: 'unmet' }
  | { step: 'finish'; acr: AcrValue };

/**
 * The one place that decides what a sign-in needs next, from what the interaction has proven
 * (kept in the store) and what the request requires: every step asks it, so no step can be
 * skipped by posting to a later one, and any node can continue any interaction.
 *
 * Once an account has a second factor, every sign-in proves one (whatever the operator, client or
 * request require). Setting one up during a sign-in is offered only to an account that has none:
 * an account with factors proves one of them, it never adds one on the strength of a password.
 * A factor set up during the sign-in proves nothing about who is signing in, so it never counts:
 * that sign-in ends at the level it proved, and a request that needs more asks again, for the
 * factor the account now has.
 */
export function nextStep(input: {
  progress: SignInProgress | undefined;
  required: AcrValue | undefined;
  factors: FactorRecord[];
  recoveryCodesLeft: number;
}): NextStep {
  const { progress, factors } = input;
  if (!progress) return { step: 'identify' };
  if (progress.sealedNewRecoveryCodes) return { step: 'show-recovery-codes' };
  if (progress.recoveryCodesLeft !== undefined) return { step: 'recovery-codes-left', left: progress.recoveryCodesLeft };
  const achieved = levelOf(progress.amr);
  if (progress.enrolledDuringSignIn) return { step: 'finish', acr: achieved };
  const required = factors.length > 0 ? strongest([input.required, ACR.multiFactor]) : input.required;
  if (satisfies(achieved, required)) return { step: 'finish', acr: achieved };
  if (factors.length === 0) return { step: 'enrol', passkeyOnly: required === ACR.phishingResistant };

  const hasPasskey = factors.some((factor) => factor.type === 'webauthn');
  const hasTotp = factors.some((factor) => factor.type === 'totp');
  if (required === ACR.phishingResistant) return hasPasskey ? { step: 'second-factor', offer: ['passkey'] } : { step: 'unmet' };
  const offer: SecondFactorKind[] = [
    ...(hasTotp ? ['totp' as const] : []),
    ...(hasPasskey ? ['passkey' as const] : []),
    ...(input.recoveryCodesLeft > 0 ? ['recovery-code' as const] : []),
  ];
  return offer.length ? { step: 'second-factor', offer } : { step: 'unmet' };
}

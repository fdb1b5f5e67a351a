import { ACR, levelOf, satisfies, type AcrValue } from '../../accounts/authentication-level.ts';
import type { FactorRecord } from '../../store/store.ts';
import type { SignInProgress } from './sign-in-progress.ts';

export type SecondFactorKind = 'totp' | 'passkey' | 'recovery-code';

export type NextStep =
  | { step: 'identify' }
  | { step: 'second-factor'; offer: SecondFactorKind[] }
  | { step: 'enrol'; passkeyOnly: boolean }
  | { step: 'show-recovery-codes' }
  | { step: 'recovery-codes-left'; left: number }
  | { step: 'finish'; acr: AcrValue };

/**
 * The one place that decides what a sign-in needs next, from what the interaction has proven
 * (kept in the store) and what the request requires: every step asks it, so no step can be
 * skipped by posting to a later one, and any node can continue any interaction.
 */
export function nextStep(input: {
  progress: SignInProgress | undefined;
  required: AcrValue | undefined;
  factors: FactorRecord[];
  recoveryCodesLeft: number;
}): NextStep {
  const { progress, required, factors } = input;
  if (!progress) return { step: 'identify' };
  if (progress.sealedNewRecoveryCodes) return { step: 'show-recovery-codes' };
  if (progress.recoveryCodesLeft !== undefined) return { step: 'recovery-codes-left', left: progress.recoveryCodesLeft };
  const achieved = levelOf(progress.amr);
  if (satisfies(achieved, required)) return { step: 'finish', acr: achieved };

  const hasPasskey = factors.some((factor) => factor.type === 'webauthn');
  const hasTotp = factors.some((factor) => factor.type === 'totp');
  if (required === ACR.phishingResistant) return hasPasskey ? { step: 'second-factor', offer: ['passkey'] } : { step: 'enrol', passkeyOnly: true };
  const offer: SecondFactorKind[] = [
    ...(hasTotp ? ['totp' as const] : []),
    ...(hasPasskey ? ['passkey' as const] : []),
    ...(factors.length && input.recoveryCodesLeft > 0 ? ['recovery-code' as const] : []),
  ];
  return offer.length ? { step: 'second-factor', offer } : { step: 'enrol', passkeyOnly: false };
}

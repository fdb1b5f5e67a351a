import { HttpError } from '../../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { assertStep } from './require-step.ts';

export type PasskeyPurpose = 'sign-in' | 'second-factor' | 'register';

export function passkeyPurpose(value: unknown): PasskeyPurpose {
  if (value === 'sign-in' || value === 'second-factor' || value === 'register') return value;
  throw new HttpError(400, 'invalid_request', 'purpose must be sign-in, second-factor or register');
}

/**
 * The options the browser's WebAuthn call needs, with a fresh challenge bound to this interaction
 * (and, after the first factor, to its account). Signing in with a passkey alone needs nothing
 * proven before; the other two continue the interaction's progress, and only at their step:
 * a passkey as the second factor where one is offered, a new one only where setting one up is.
 */
export function passkeyOptions(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const purpose = passkeyPurpose(ctx.state.json?.purpose);
    const { passkeys, progress } = deps.secondFactors;
    if (purpose === 'sign-in') {
      ctx.body = await passkeys.authenticationOptions(interaction.uid);
      return;
    }
    const proven = await progress.load(interaction.uid);
    if (!proven) throw new HttpError(400, 'interaction_mismatch', 'no first factor was proven in this interaction', { kind: 'expired' });
    await assertStep(deps, interaction, proven, purpose === 'second-factor' ? 'passkey' : 'enrol-passkey');
    if (purpose === 'second-factor') {
      ctx.body = await passkeys.authenticationOptions(interaction.uid, proven.accountId);
      return;
    }
    const account = await deps.accounts.findById(proven.accountId);
    if (!account) throw new HttpError(400, 'interaction_mismatch', 'the account is gone', { kind: 'expired' });
    ctx.body = await passkeys.registrationOptions(account, interaction.uid);
  };
}

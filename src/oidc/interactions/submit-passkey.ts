import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { HttpError } from '../../http/http-error.ts';
import { continueSignIn } from './continue-sign-in.ts';
import { factorEnrolled } from './first-factor-enrolled.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { keepMeSignedIn } from './keep-me-signed-in.ts';
import { passkeyPurpose } from './passkey-options.ts';
import { assertStep } from './require-step.ts';
import { withMethods, type SignInProgress } from './sign-in-progress.ts';
import { throttleSecondFactor } from './throttle-second-factor.ts';

function refused(ctx: InteractionContext): void {
  ctx.status = 401;
  ctx.body = { error: 'passkey_failed' };
}

/**
 * What the browser's passkey answered, for one of three purposes: signing in with the passkey alone
 * (no password: a discoverable credential with user verification), as the second factor, or
 * setting one up during sign-in (once per interaction, and not counted toward its level).
 * Counted by the same throttle as passwords, per account and IP.
 */
export function submitPasskey(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const body = ctx.state.json!;
    const purpose = passkeyPurpose(body.purpose);
    const challengeId = typeof body.challengeId === 'string' ? body.challengeId : '';
    const response = body.response as { id?: unknown } | undefined;
    if (typeof response?.id !== 'string') throw new HttpError(400, 'invalid_request', 'response must be a WebAuthn credential in JSON form');
    const { passkeys, progress: progressStore } = deps.secondFactors;

    if (purpose === 'sign-in') {
      // A passkey this interaction has just set up proves nothing about who is signing in.
      if ((await progressStore.load(interaction.uid))?.enrolledDuringSignIn) {
        throw new HttpError(400, 'interaction_mismatch', 'this sign-in already set up a second factor', { kind: 'expired' });
      }
      const owner = await deps.store.factors.findByCredentialId(response.id);
      const account = owner && await deps.accounts.findById(owner.accountId);
      const progress: SignInProgress = {
        accountId: owner?.accountId ?? `unknown-passkey:${response.id.slice(0, 64)}`,
        amr: [], remember: owner ? await keepMeSignedIn(deps, interaction, owner.accountId, { shown: typeof body.remember === 'boolean', ticked: body.remember === true }) : false, authTime: Math.floor(Date.now() / 1000),
      };
      const attempt = await throttleSecondFactor(deps, ctx, progress, 'passkey');
      if (!attempt) return;
      const used = owner ? await passkeys.authenticate(interaction.uid, challengeId, response as unknown as AuthenticationResponseJSON) : undefined;
      if (!used || !account || account.disabled) {
        await attempt.failed();
        refused(ctx);
        return;
      }
      await attempt.succeeded();
      await continueSignIn(deps, ctx, { ...progress, amr: used.amr }, 'json');
      return;
    }

    const progress = await progressStore.load(interaction.uid);
    if (!progress) throw new HttpError(400, 'interaction_mismatch', 'no first factor was proven in this interaction', { kind: 'expired' });
    await assertStep(deps, interaction, progress, purpose === 'second-factor' ? 'passkey' : 'enrol-passkey');
    const attempt = await throttleSecondFactor(deps, ctx, progress, 'passkey');
    if (!attempt) return;
    if (purpose === 'second-factor') {
      const used = await passkeys.authenticate(interaction.uid, challengeId, response as unknown as AuthenticationResponseJSON, progress.accountId);
      if (!used) {
        await attempt.failed();
        refused(ctx);
        return;
      }
      await attempt.succeeded();
      await continueSignIn(deps, ctx, withMethods(progress, [used.amr[0]!, 'mfa']), 'json');
      return;
    }
    const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 80) : ctx.state.t('factors.defaultPasskeyName');
    const factor = await passkeys.register(
      progress.accountId, interaction.uid, challengeId, response as unknown as RegistrationResponseJSON, name,
      () => progressStore.claimEnrolment(interaction.uid),
    );
    if (!factor) {
      await attempt.failed();
      refused(ctx);
      return;
    }
    await attempt.succeeded();
    await continueSignIn(deps, ctx, await factorEnrolled(deps, ctx, progress, factor), 'json');
  };
}

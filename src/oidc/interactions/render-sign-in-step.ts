import QRCode from 'qrcode';
import { totpUri } from '../../accounts/factors/totp.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import { clientView } from '../../pages/client-view.ts';
import { csrfTokenFor } from './csrf-token.ts';
import { decideNextStep } from './decide-next-step.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import type { SignInProgress } from './sign-in-progress.ts';
import { continueSignIn } from './continue-sign-in.ts';

export type StepError = 'wrong_code' | 'wrong_recovery_code' | 'passkey_failed' | 'throttled';

export const recoveryCodesSealedFor = (uid: string) => `recovery-codes:${uid}`;

/** The secret as an app shows it when typed in by hand: groups of four. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)!.join(' ');
}

/**
 * The page for the step a sign-in still needs (second factor, setting one up, recovery codes to
 * keep), decided from the progress in the store. A finished progress continues the sign-in.
 */
export async function renderSignInStep(
  deps: InteractionDeps,
  ctx: InteractionContext,
  interaction: InteractionDetails,
  progress: SignInProgress,
  { error, status = 200 }: { error?: StepError; status?: number } = {},
): Promise<void> {
  const step = await decideNextStep(deps, interaction, progress);
  if (step.step === 'finish' || step.step === 'identify' || step.step === 'unmet') {
    await continueSignIn(deps, ctx, progress);
    return;
  }
  const account = await deps.accounts.findById(progress.accountId);
  const common = {
    uid: interaction.uid,
    csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
    client: clientView(await deps.provider.Client.find(String(interaction.params.client_id))),
    email: account?.email ?? '',
    error,
  };
  if (step.step === 'second-factor') {
    deps.pages.render(ctx, 'second-factor', { ...common, offer: step.offer }, { status });
    return;
  }
  if (step.step === 'show-recovery-codes') {
    const codes = JSON.parse(deps.secondFactors.sealer.decrypt(progress.sealedNewRecoveryCodes!, recoveryCodesSealedFor(interaction.uid))) as string[];
    deps.pages.render(ctx, 'recovery-codes', { ...common, codes, continueAction: `/interaction/${interaction.uid}/notice` }, { status });
    return;
  }
  if (step.step === 'recovery-codes-left') {
    deps.pages.render(ctx, 'recovery-codes-left', { ...common, left: step.left }, { status });
    return;
  }
  // Setting up a second factor: an authenticator app (the same pending secret until it is confirmed), or a passkey.
  const { totp } = deps.secondFactors;
  let secret = progress.pendingTotpEnrolment ? await totp.pendingSecret(progress.accountId, progress.pendingTotpEnrolment) : undefined;
  if (!step.passkeyOnly && secret === undefined) {
    const enrolment = await totp.startEnrolment(progress.accountId, common.email, deps.secondFactors.issuerName);
    progress.pendingTotpEnrolment = enrolment.id;
    await deps.secondFactors.progress.save(interaction.uid, progress);
    secret = enrolment.secret;
  }
  const uri = secret === undefined ? undefined : totpUri(secret, deps.secondFactors.issuerName, common.email);
  deps.pages.render(ctx, 'enrol-factor', {
    ...common,
    passkeyOnly: step.passkeyOnly,
    enrolmentId: progress.pendingTotpEnrolment,
    secret: secret === undefined ? undefined : grouped(secret),
    qrSvg: uri === undefined ? undefined : await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
  }, { status });
}

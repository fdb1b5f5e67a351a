import { continueSignIn } from './continue-sign-in.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** "I have saved my recovery codes" / "Continue" after a recovery code: the notice is done. */
export function acknowledgeNotice(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const { sealedNewRecoveryCodes: _shown, recoveryCodesLeft: _told, ...progress } = ctx.state.signInProgress!;
    await continueSignIn(deps, ctx, progress);
  };
}

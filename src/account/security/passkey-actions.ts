import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { HttpError } from '../../http/http-error.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { factorAdded } from './factor-change-events.ts';

/** Challenges made on the account pages are bound to the session, as sign-in ones are to the interaction. */
const boundTo = (ctx: AccountContext) => `account-session:${ctx.state.signedIn!.sessionUid}`;

export function passkeyRegistrationOptions(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    ctx.body = await deps.secondFactors.passkeys.registrationOptions(ctx.state.signedIn!.account, boundTo(ctx));
  };
}

/** The browser's new passkey: verified by @simplewebauthn/server and kept; `{ location }` says where to go next. */
export function addPasskey(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const body = ctx.state.json!;
    const response = body.response as { id?: unknown } | undefined;
    if (typeof response?.id !== 'string') throw new HttpError(400, 'invalid_request', 'response must be a WebAuthn credential in JSON form');
    const { account } = ctx.state.signedIn!;
    const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 80) : ctx.state.t('factors.defaultPasskeyName');
    const factor = await deps.secondFactors.passkeys.register(
      account.id, boundTo(ctx), typeof body.challengeId === 'string' ? body.challengeId : '', response as unknown as RegistrationResponseJSON, name,
    );
    if (!factor) {
      ctx.status = 400;
      ctx.body = { error: 'passkey_failed' };
      return;
    }
    await factorAdded(deps, ctx, factor);
    ctx.body = { location: '/account/security?done=passkey_added' };
  };
}

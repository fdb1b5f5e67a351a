import type { AccountContext, AccountDeps } from '../account-context.ts';

/**
 * "Send the link again" on the profile page: mails a new verification link to the account's
 * address (nothing when it is verified already, mail is off, or the address was mailed too often
 * this hour: see ADDRESS_MAIL_RULE), then back to the page.
 */
export function sendVerificationLink(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    if (deps.emailVerification && !account.emailVerified) {
      await deps.emailVerification.sendAgain(account, { ip: ctx.ip, requestId: ctx.state.requestId, log: ctx.state.log, locale: ctx.state.locale });
    }
    ctx.status = 303;
    ctx.redirect('/account?done=verification_sent');
  };
}

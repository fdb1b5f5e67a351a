import QRCode from 'qrcode';
import { totpUri } from '../../accounts/factors/totp.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { factorAdded } from './factor-change-events.ts';

async function renderTotpSetUp(deps: AccountDeps, ctx: AccountContext, enrolmentId: string, secret: string, status = 200, error?: string): Promise<void> {
  const { account, csrfToken } = ctx.state.signedIn!;
  const uri = totpUri(secret, deps.secondFactors.issuerName, account.email);
  deps.pages.render(ctx, 'account-totp', {
    email: account.email,
    csrfToken,
    enrolmentId,
    secret: secret.match(/.{1,4}/g)!.join(' '),
    qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
    error,
  }, { status });
}

/** "Add an authenticator app": a new pending secret, shown as a QR code and as text. */
export function startTotpSetUp(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const enrolment = await deps.secondFactors.totp.startEnrolment(account.id, account.email, deps.secondFactors.issuerName);
    await renderTotpSetUp(deps, ctx, enrolment.id, enrolment.secret);
  };
}

/** The first code from the app turns the pending secret into a factor; a wrong one shows the same secret again. */
export function confirmTotpSetUp(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const form = ctx.state.form!;
    const enrolmentId = form.enrolment ?? '';
    const name = (form.name ?? '').trim().slice(0, 80) || ctx.state.t('factors.defaultTotpName');
    const factor = await deps.secondFactors.totp.confirmEnrolment(account.id, enrolmentId, form.code ?? '', name);
    if (!factor) {
      const secret = await deps.secondFactors.totp.pendingSecret(account.id, enrolmentId);
      if (secret === undefined) {
        ctx.status = 303;
        ctx.redirect('/account/security');
        return;
      }
      await renderTotpSetUp(deps, ctx, enrolmentId, secret, 401, 'wrong_code');
      return;
    }
    await factorAdded(deps, ctx, factor);
    ctx.status = 303;
    ctx.redirect('/account/security?done=totp_added');
  };
}

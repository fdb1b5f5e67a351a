import { linkedIdentities } from '../../federation/linked-identities.ts';
import type { FactorRecord } from '../../store/store.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';

/** Outcomes the security page reports after a change, named in its URL (`?done=`); nothing secret. */
export const SECURITY_NOTICES = ['passkey_added', 'totp_added', 'renamed', 'removed', 'unlinked'] as const;
export type SecurityNotice = (typeof SECURITY_NOTICES)[number];

export type SecurityError = 'last_factor' | 'passkey_failed' | 'wrong_code' | 'name_required';

export interface FactorView {
  id: string;
  type: FactorRecord['type'];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** A synced passkey (in a password manager or platform account) or one bound to its device. */
  synced: boolean;
}

function viewOf(factor: FactorRecord): FactorView {
  return {
    id: factor.id, type: factor.type, name: factor.name, createdAt: factor.createdAt, lastUsedAt: factor.lastUsedAt,
    synced: factor.data.backupEligible === true,
  };
}

/** The sign-in methods of the signed-in account: passkeys, authenticator apps and recovery codes. */
export async function renderSecurityPage(
  deps: AccountDeps, ctx: AccountContext,
  { error, linkError, status = 200 }: { error?: SecurityError; linkError?: 'last_way' | 'last_passkey' | 'busy'; status?: number } = {},
): Promise<void> {
  const { account, csrfToken } = ctx.state.signedIn!;
  const factors = (await deps.store.factors.listByAccount(account.id)).map(viewOf);
  const done = typeof ctx.query.done === 'string' && (SECURITY_NOTICES as readonly string[]).includes(ctx.query.done) ? ctx.query.done : undefined;
  deps.pages.render(ctx, 'account-security', {
    page: 'security',
    email: account.email,
    csrfToken,
    passkeys: factors.filter((factor) => factor.type === 'webauthn'),
    apps: factors.filter((factor) => factor.type === 'totp'),
    recoveryCodesLeft: await deps.secondFactors.recoveryCodes.remaining(account.id),
    hasFactor: factors.length > 0,
    mfaRequired: deps.secondFactors.everyoneNeedsMfa,
    linked: await linkedIdentities(deps.store, account.id),
    done,
    error,
    linkError,
  }, { status });
}

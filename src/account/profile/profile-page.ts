import type { AccountContext, AccountDeps } from '../account-context.ts';

/** The claims a person edits on the profile page; the rest are an administrator's (CLI, admin API). */
export const EDITABLE_CLAIMS = [
  'given_name', 'family_name', 'nickname', 'preferred_username', 'website', 'picture', 'birthdate', 'zoneinfo', 'locale', 'phone_number',
] as const;
export type EditableClaim = (typeof EDITABLE_CLAIMS)[number];

export const PROFILE_NOTICES = ['saved', 'verification_sent', 'verified'] as const;

export interface ProfileForm {
  name: string;
  claims: Partial<Record<EditableClaim, string>>;
}

/** The profile page: name and claims, the address and whether it is verified. */
export function renderProfilePage(
  deps: AccountDeps, ctx: AccountContext,
  { form, invalid = [], status = 200 }: { form?: ProfileForm; invalid?: string[]; status?: number } = {},
): void {
  const { account, csrfToken } = ctx.state.signedIn!;
  const done = typeof ctx.query.done === 'string' && (PROFILE_NOTICES as readonly string[]).includes(ctx.query.done) ? ctx.query.done : undefined;
  const claims = form?.claims ?? Object.fromEntries(EDITABLE_CLAIMS.map((claim) => [claim, String(account.profile[claim] ?? '')]));
  deps.pages.render(ctx, 'account-profile', {
    page: 'profile',
    csrfToken,
    email: account.email,
    emailVerified: account.emailVerified,
    canSendMail: deps.mailEnabled,
    name: form?.name ?? account.name ?? '',
    claims,
    fields: EDITABLE_CLAIMS,
    invalid,
    done,
  }, { status });
}

import { cspCanName } from '../../http/content-security-policy.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { isFullDate, languageChoices, timeZoneChoices } from './profile-choices.ts';

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

/**
 * The origin of a picture the page may show: https only (never http, data: or a path on Keyline),
 * without credentials, and a host the CSP can name as it is (not `*`, nor one with `;` or `,`), so
 * img-src names exactly it.
 */
export function pictureOrigin(picture: unknown): string | undefined {
  if (typeof picture !== 'string' || !URL.canParse(picture)) return undefined;
  const url = new URL(picture);
  return url.protocol === 'https:' && url.username === '' && url.password === '' && cspCanName(url.origin) ? url.origin : undefined;
}

/**
 * The profile page: name and claims, the address and whether it is verified. The saved picture is
 * shown when it is an https URL, its origin added to this response's img-src only.
 */
export function renderProfilePage(
  deps: AccountDeps, ctx: AccountContext,
  { form, invalid = [], status = 200 }: { form?: ProfileForm; invalid?: string[]; status?: number } = {},
): void {
  const { account, csrfToken } = ctx.state.signedIn!;
  const done = typeof ctx.query.done === 'string' && (PROFILE_NOTICES as readonly string[]).includes(ctx.query.done) ? ctx.query.done : undefined;
  const claims = form?.claims ?? Object.fromEntries(EDITABLE_CLAIMS.map((claim) => [claim, String(account.profile[claim] ?? '')]));
  const saved = (claim: EditableClaim) => (account.profile[claim] === undefined ? undefined : String(account.profile[claim]));
  const picture = pictureOrigin(account.profile.picture) ? account.profile.picture : undefined;
  const birthdate = claims.birthdate ?? '';
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
    timeZones: timeZoneChoices(saved('zoneinfo')),
    languages: languageChoices(deps.languages, saved('locale')),
    birthdateAsDate: birthdate === '' || isFullDate(birthdate),
    today: new Date().toISOString().slice(0, 10),
    picture,
  }, { status, imageOrigins: picture ? [pictureOrigin(picture)!] : [] });
}

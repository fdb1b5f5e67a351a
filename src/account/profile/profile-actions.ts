import { changeProfile } from '../../accounts/profile-claims.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { EDITABLE_CLAIMS, renderProfilePage, type ProfileForm } from './profile-page.ts';
import { languageChoices, timeZoneChoices } from './profile-choices.ts';

const MAX_NAME_LENGTH = 256;

/** The claim each problem is about ("birthdate: must be ..."). */
const claimOf = (problem: string) => problem.slice(0, problem.indexOf(':'));

/**
 * Saves the name and the claims that changed. A phone number that did not change keeps its
 * verified state; invalid values are marked on the page, and nothing is saved then.
 */
export function saveProfile(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const body = ctx.state.form!;
    const form: ProfileForm = {
      name: (body.name ?? '').trim(),
      claims: Object.fromEntries(EDITABLE_CLAIMS.map((claim) => [claim, (body[claim] ?? '').trim()])),
    };
    const text = Object.fromEntries(EDITABLE_CLAIMS
      .filter((claim) => form.claims[claim] !== String(account.profile[claim] ?? ''))
      .map((claim) => [claim, form.claims[claim]]));
    const { problems } = changeProfile(account.profile, { text });
    const current = (claim: 'zoneinfo' | 'locale') => (account.profile[claim] === undefined ? undefined : String(account.profile[claim]));
    // The selects' own lists: a zone or language the page never offered is refused, even one Intl would accept.
    const offered = {
      zoneinfo: timeZoneChoices(current('zoneinfo')),
      locale: languageChoices(deps.languages, current('locale')).map((choice) => choice.tag),
    };
    const unoffered = (['zoneinfo', 'locale'] as const).filter((claim) => text[claim] !== undefined && text[claim] !== '' && !offered[claim].includes(text[claim]!));
    const invalid = [...new Set([...problems.map(claimOf), ...unoffered, ...(form.name.length > MAX_NAME_LENGTH ? ['name'] : [])])];
    if (invalid.length) {
      renderProfilePage(deps, ctx, { form, invalid, status: 400 });
      return;
    }
    const updated = await deps.accounts.updateProfile(account.email, { text, name: form.name || null });
    await deps.securityEvents.record({
      type: 'account.profile_updated', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip,
      requestId: ctx.state.requestId, data: { changed: [...Object.keys(text), ...(updated.name !== account.name ? ['name'] : [])] },
    }, ctx.state.log);
    ctx.status = 303;
    ctx.redirect('/account?done=saved');
  };
}

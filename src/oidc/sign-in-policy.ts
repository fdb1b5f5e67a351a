import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { levelOf, satisfies, type AmrValue } from '../accounts/authentication-level.ts';
import { allowsLocalLogin, namedUpstreams } from '../federation/sign-in-choices.ts';
import { requiredLevelOf } from './sign-in-requirement.ts';

/** The reason Keyline gives oidc-provider when a signed-in session is not strong enough. */
export const STRONGER_SIGN_IN = 'keyline_stronger_sign_in';

/** The reason Keyline gives when a client without local login meets a session that no upstream signed in. */
export const UPSTREAM_SIGN_IN = 'keyline_upstream_sign_in';

/**
 * oidc-provider's login prompt, with its exact-match `acr` checks (`essential_acr`, `essential_acrs`)
 * replaced by one that knows the levels are ordered: a session that signed in with a passkey meets a
 * request for two factors. A session weaker than the request needs is sent to the interaction,
 * which asks only for what is missing (a second factor), not for the password again.
 */
export function signInPolicy(everyoneNeedsMfa: boolean, linkedUpstreams: (accountId: string) => Promise<string[]>) {
  const { Check, base } = interactionPolicy;
  const policy = base();
  const login = policy.get('login')!;
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(new Check(STRONGER_SIGN_IN, 'a stronger sign-in is required', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session;
    if (!session?.accountId) return Check.NO_NEED_TO_PROMPT;
    const achieved = levelOf((session.amr ?? ['pwd']) as AmrValue[]);
    return satisfies(achieved, requiredLevelOf(ctx, everyoneNeedsMfa)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  // --no-local-login refuses the password on the client's own page; single sign-on must not let a
  // session that only a Keyline password (or passkey) made, at another client or the account pages,
  // walk in without it, nor one a public upstream the client does not offer made. Only a session an
  // upstream signed in (amr `fed`), of an account linked to one of the client's upstreams, passes.
  // (Which upstream made the session is not kept; the link says the person proved one of them.)
  login.checks.add(new Check(UPSTREAM_SIGN_IN, 'this client allows sign-in only through its upstream identity providers', 'login_required', async (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session;
    const client = ctx.oidc.client;
    if (!session?.accountId || allowsLocalLogin(client)) return Check.NO_NEED_TO_PROMPT;
    if (!(session.amr ?? []).includes('fed')) return Check.REQUEST_PROMPT;
    const named = namedUpstreams(client);
    const linked = await linkedUpstreams(session.accountId);
    return linked.some((id) => !named || named.includes(id)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  return policy;
}

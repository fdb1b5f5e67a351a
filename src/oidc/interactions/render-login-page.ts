import { formatWait } from '../../i18n/format-wait.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import { clientView } from '../../pages/client-view.ts';
import { signInChoices } from '../../federation/sign-in-choices.ts';
import { upstreamButtons } from '../../federation/upstream-buttons.ts';
import { csrfTokenFor } from './csrf-token.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

export interface LoginPageState {
  /** The email to keep filled in. */
  email?: string;
  error?: 'invalid_credentials' | 'throttled' | 'unverified';
  /** With `throttled`: the wait the throttle's verdict gives, counted down on the page. */
  retryAfterSeconds?: number;
  /** The person chose "Not you?": a plain sign-in form instead of confirming the signed-in account. */
  switchAccount?: boolean;
  status?: number;
  /** The address was given on the identifier-first form and belongs to no offered upstream: ask for the password now. */
  identified?: boolean;
}

/**
 * The account to confirm when the app asks a signed-in person to authenticate again
 * (`prompt=login`, an expired `max_age`): the page then says "Confirm it's you" with their email.
 */
async function accountToConfirm(deps: InteractionDeps, interaction: InteractionDetails): Promise<string | undefined> {
  const accountId = interaction.session?.accountId;
  if (!accountId) return undefined;
  const account = await deps.accounts.findById(accountId);
  return account && !account.disabled ? account.email : undefined;
}

/** The login form for this interaction: a first sign-in, a re-authentication, or either with an error. */
export async function renderLoginPage(
  deps: InteractionDeps,
  ctx: InteractionContext,
  interaction: InteractionDetails,
  { email = '', error, retryAfterSeconds, switchAccount = false, status = 200, identified = false }: LoginPageState = {},
): Promise<void> {
  const registered = await deps.provider.Client.find(String(interaction.params.client_id));
  const client = clientView(registered);
  const confirmEmail = switchAccount ? undefined : await accountToConfirm(deps, interaction);
  const { upstreams, localLogin } = await signInChoices(deps, registered);
  // Home-realm discovery: while an offered upstream claims domains, a new sign-in asks for the address first.
  const identifierFirst = localLogin && !confirmEmail && !identified && !error && upstreams.some((upstream) => upstream.domains.length > 0);
  deps.pages.render(ctx, 'login', {
    uid: interaction.uid,
    csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
    client,
    email: confirmEmail ?? email,
    confirmEmail,
    switchAccount,
    error,
    retryAfterSeconds,
    waitText: retryAfterSeconds === undefined ? undefined : formatWait(ctx.state.locale, retryAfterSeconds),
    upstreams: upstreamButtons(interaction.uid, upstreams, ctx.state.t),
    localLogin,
    canResetPassword: localLogin && deps.selfService?.canResetPassword === true,
    canSignUp: localLogin && deps.selfService?.canSignUp === true && !confirmEmail,
    identifierFirst,
  }, { status });
}

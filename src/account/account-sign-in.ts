import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountContext } from './account-context.ts';
import { ACCOUNT_CALLBACK_PATH, ACCOUNT_CLIENT_ID } from './account-client.ts';

const TEN_MINUTES = 10 * 60 * 1000;

function stateCookieName(ctx: AccountContext): string {
  return ctx.secure ? '__Secure-keyline.account-state' : 'keyline.account-state';
}

/** Where an account page may send the person back to: one of its own paths, never another site. */
export function accountPath(value: unknown): string {
  return typeof value === 'string' && /^\/account(\/[\w\-/]*)?$/.test(value) ? value : '/account/security';
}

export interface SignInRequirement {
  /** Ask for a sign-in no older than this (OIDC max_age); a stale one confirms the password again. */
  maxAgeSeconds?: number;
  /** Ask for this level (acr_values), as any app can. */
  acr?: string;
}

/** A PKCE challenge whose verifier nobody keeps: the code issued for it can never be redeemed. */
function unredeemableChallenge(): string {
  return hash('sha256', randomBytes(32).toString('base64url'), 'base64url');
}

/**
 * Sends the browser through Keyline's own /auth as the account client, with a one-time state kept
 * in a short signed cookie together with the page to return to.
 */
export function redirectToSignIn(ctx: AccountContext, issuer: string, next: unknown, requirement: SignInRequirement = {}): void {
  const state = randomBytes(16).toString('base64url');
  ctx.cookies.set(stateCookieName(ctx), `${state}.${accountPath(next)}`, {
    signed: true, httpOnly: true, sameSite: 'lax', path: '/account', maxAge: TEN_MINUTES, secure: ctx.secure,
  });
  const url = new URL('/auth', issuer);
  url.searchParams.set('client_id', ACCOUNT_CLIENT_ID);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('code_challenge', unredeemableChallenge());
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('redirect_uri', new URL(ACCOUNT_CALLBACK_PATH, issuer).href);
  url.searchParams.set('state', state);
  url.searchParams.set('ui_locales', ctx.state.locale);
  if (requirement.maxAgeSeconds !== undefined) url.searchParams.set('max_age', String(requirement.maxAgeSeconds));
  if (requirement.acr) url.searchParams.set('acr_values', requirement.acr);
  ctx.status = 303;
  ctx.redirect(`${url.pathname}${url.search}`);
}

/**
 * The end of that sign-in: the state must be the one this browser was given. A cancelled sign-in
 * goes to the start page; a completed one to the page that asked.
 */
export async function accountCallback(ctx: AccountContext): Promise<void> {
  const kept = ctx.cookies.get(stateCookieName(ctx), { signed: true }) ?? '';
  ctx.cookies.set(stateCookieName(ctx), null, { path: '/account', signed: true, secure: ctx.secure });
  const separator = kept.indexOf('.');
  const expected = Buffer.from(separator > 0 ? kept.slice(0, separator) : '');
  const presented = Buffer.from(typeof ctx.query.state === 'string' ? ctx.query.state : '');
  const matches = expected.length > 0 && expected.length === presented.length && timingSafeEqual(expected, presented);
  if (!matches || ctx.query.error) {
    ctx.redirect('/');
    return;
  }
  ctx.redirect(accountPath(kept.slice(separator + 1)));
}

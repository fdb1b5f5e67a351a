import { decodeJwt, type JWTPayload } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { hiddenField, type BrowserLikeClient, type Response } from './browser-like-client.ts';
import { authorizeUrl, exchangeCode, pkcePair, type TestClient, type TestUser } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

const STEP_MS = 30_000;

/** What an authenticator app shows `offsetSteps` 30-second steps from now. */
export function totpCode(secretBase32: string, offsetSteps = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
  return totp.generate({ timestamp: Date.now() + offsetSteps * STEP_MS });
}

/**
 * An authenticator app for one secret that never repeats a time step: each code is for the
 * earliest step Keyline still accepts (one either side of now) that is later than the last one
 * used, so sequences of sign-ins work however the test's timing falls on the 30 s steps. The
 * previous step is only used with 10 s of it left; when no step is free, it waits for the next.
 */
export class TestAuthenticator {
  readonly secret: string;
  #lastStep = -Infinity;
  /** The last code handed out: presenting it again is a replay. */
  lastCode = '';

  constructor(secret: string) {
    this.secret = secret;
  }

  async nextCode(): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / STEP_MS);
      const roomInStep = (current + 1) * STEP_MS - now;
      const candidates = [...(roomInStep >= 10_000 ? [current - 1] : []), current, current + 1];
      const step = candidates.find((candidate) => candidate > this.#lastStep);
      if (step !== undefined) {
        this.#lastStep = step;
        this.lastCode = totpCode(this.secret, step - current);
        return this.lastCode;
      }
      await new Promise((resolve) => setTimeout(resolve, roomInStep + 50));
    }
  }

  /** A code far enough ahead that Keyline refuses it whatever the time. */
  futureCode(): string {
    return totpCode(this.secret, 5);
  }
}

/** The authenticator secret the set-up page shows for typing in by hand. */
export function secretOnPage(html: string): string {
  const secret = /<code class="kl-secret">([A-Z2-7 ]+)<\/code>/.exec(html)?.[1];
  if (!secret) throw new Error(`no authenticator secret on the page: ${html.slice(0, 300)}`);
  return secret.replace(/ /g, '');
}

export function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1]!);
}

export function uidOf(html: string): string {
  const uid = /action="\/interaction\/([\w-]+)\//.exec(html)?.[1];
  if (!uid) throw new Error(`no interaction form on the page: ${html.slice(0, 300)}`);
  return uid;
}

export interface SecondFactorFlow {
  kl: RunningKeyline;
  browser: BrowserLikeClient;
  page: Response;
  uid: string;
}

/** Posts a form of the current interaction page to one of its steps; the answer, redirects followed on Keyline. */
export async function postStep(flow: SecondFactorFlow, step: string, form: Record<string, string> = {}): Promise<Response> {
  const csrf = hiddenField(flow.page.text, 'csrf') ?? '';
  const posted = await flow.browser.postForm(`${flow.kl.url}/interaction/${flow.uid}/${step}`, { csrf, ...form });
  const page = posted.status === 303 ? await flow.browser.followWithin(flow.kl.url, posted) : posted;
  flow.page = page;
  if (page.status === 200 && /action="\/interaction\//.test(page.text)) flow.uid = uidOf(page.text);
  return page;
}

/** Opens an authorization request and signs in with the password: the page after it, and how to continue. */
export async function afterPassword(
  kl: RunningKeyline, browser: BrowserLikeClient, client: TestClient, user: TestUser, params: Record<string, string> = {},
): Promise<SecondFactorFlow & { verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
    code_challenge: challenge, code_challenge_method: 'S256', ...params,
  })));
  const flow: SecondFactorFlow = { kl, browser, page: login, uid: uidOf(login.text) };
  await postStep(flow, 'login', { email: user.email, password: user.password });
  return { ...flow, verifier };
}

/** Consents when asked; the callback URL the sign-in ended at. */
export async function finishAtClient(flow: SecondFactorFlow, client: TestClient): Promise<URL> {
  let page = flow.page;
  if (page.status === 200 && page.text.includes('/confirm"')) page = await postStep(flow, 'confirm');
  if (!page.location?.startsWith(client.redirectUri)) throw new Error(`expected the callback, got ${page.status} ${page.location ?? page.text.slice(0, 400)}`);
  return new URL(page.location);
}

/** Finishes the sign-in at the client and redeems its code: the id_token's claims. */
export async function idTokenClaimsAt(flow: SecondFactorFlow & { verifier: string }, client: TestClient): Promise<JWTPayload> {
  const callback = await finishAtClient(flow, client);
  const tokens = await exchangeCode(flow.kl, client, { code: callback.searchParams.get('code')!, verifier: flow.verifier });
  if (tokens.status !== 200) throw new Error(`the code was not redeemed: ${tokens.status} ${JSON.stringify(tokens.body)}`);
  return decodeJwt(String(tokens.body.id_token));
}

/**
 * Asks for a stronger sign-in (`acr_values`) over the browser's session and answers the code step
 * with the app: the page it asked on, and the id_token's claims at the end.
 */
export async function stepUpWithCode(
  kl: RunningKeyline, browser: BrowserLikeClient, client: TestClient, app: TestAuthenticator, acr: string,
): Promise<{ askedOn: Response; claims: JWTPayload }> {
  const { verifier, challenge } = pkcePair();
  const askedOn = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
    code_challenge: challenge, code_challenge_method: 'S256', acr_values: acr,
  })));
  const flow = { kl, browser, page: askedOn, uid: uidOf(askedOn.text), verifier };
  await postStep(flow, 'totp', { code: await app.nextCode() });
  return { askedOn, claims: await idTokenClaimsAt(flow, client) };
}

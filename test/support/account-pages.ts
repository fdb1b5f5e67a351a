import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import type { TestUser } from './oidc-flow.ts';
import { postStep, uidOf, type SecondFactorFlow, type TestAuthenticator } from './second-factor-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

/** The account pages in one browser: signing in through /auth as the account client, and posting their forms. */
export class AccountPages {
  readonly browser: BrowserLikeClient = new BrowserLikeClient();
  readonly kl: RunningKeyline;
  page!: Response;

  constructor(kl: RunningKeyline, browser?: BrowserLikeClient) {
    this.kl = kl;
    if (browser) this.browser = browser;
  }

  async open(path = '/account/security'): Promise<Response> {
    this.page = await this.browser.followWithin(this.kl.url, await this.browser.get(`${this.kl.url}${path}`));
    return this.page;
  }

  /** From a sign-in page the account pages sent us to, through the password (and code), back to the page. */
  async signIn(user: TestUser, app?: TestAuthenticator): Promise<Response> {
    if (!this.page.text.includes('action="/interaction/')) return this.page;
    const flow: SecondFactorFlow = { kl: this.kl, browser: this.browser, page: this.page, uid: uidOf(this.page.text) };
    if (this.page.text.includes('name="password"')) await postStep(flow, 'login', { email: user.email, password: user.password });
    if (app && flow.page.text.includes('/totp"')) await postStep(flow, 'totp', { code: await app.nextCode() });
    this.page = flow.page;
    return this.page;
  }

  async post(path: string, form: Record<string, string> = {}): Promise<Response> {
    const csrf = hiddenField(this.page.text, 'csrf') ?? '';
    const posted = await this.browser.postForm(`${this.kl.url}${path}`, { csrf, ...form });
    this.page = posted.status === 303 ? await this.browser.followWithin(this.kl.url, posted) : posted;
    return this.page;
  }
}

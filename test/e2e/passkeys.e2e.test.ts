import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, tokenRequest, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, checkInEveryLanguage, expectClean, expectCleanInEveryLanguage, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { recoveryCodesOnPage, TestAuthenticator } from '../support/second-factor-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * Passkeys in a real browser, answered by Chrome's virtual authenticator (CDP WebAuthn domain):
 * creating one while signing in, signing in with it alone, and using it as the second factor;
 * and every second-factor page at 320, 390 and 1280 px through axe-core.
 */

async function startClientApp(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Back at the app</title><h1>Signed in</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describeWithBrowser('passkeys and second factors in a real browser', () => {
  let kl: RunningKeyline;
  let app: Awaited<ReturnType<typeof startClientApp>>;
  let client: TestClient;
  let mfaClient: TestClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline({ hostname: 'localhost' });
    app = await startClientApp();
    client = await registerTestClient(kl, { name: 'Acme Notes', redirectUris: [`${app.origin}/callback`] });
    mfaClient = await registerTestClient(kl, { name: 'Acme Payroll', redirectUris: [`${app.origin}/callback`], requireMfa: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
    await watchForProblems(page, problems);
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.server.close(() => resolve()) : resolve()));
    await kl?.stop();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
    problems.length = 0;
  });

  /** Whether the authenticator answers on its own; off, a request waits (as for a person who has not touched it yet). */
  async function presence(enabled: boolean): Promise<void> {
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
  }

  /**
   * A fresh sign-in in this browser. The login page asks for passkeys in the email field's autofill
   * (conditional UI), which the virtual authenticator would answer at once: unless `autofill`, the
   * authenticator waits, so the person can type a password instead.
   */
  async function startSignIn(to: TestClient, params: Record<string, string> = {}, { autofill = false } = {}): Promise<string> {
    await context.clearCookies();
    await presence(autofill);
    const { verifier, challenge } = pkcePair();
    await page.goto(authorizeUrl(kl, to, { code_challenge: challenge, code_challenge_method: 'S256', ...params }));
    return verifier;
  }

  async function password(user: TestUser): Promise<void> {
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary[type=submit]')]);
    await presence(true);
  }

  /** Allows consent when asked; the id_token's claims for the code at the callback. */
  async function idTokenAtCallback(to: TestClient, verifier: string): Promise<Record<string, unknown>> {
    const allow = page.getByRole('button', { name: 'Allow' });
    await Promise.race([page.waitForURL(`${app.origin}/callback**`), allow.waitFor()]);
    if (!page.url().startsWith(app.origin)) await Promise.all([page.waitForURL(`${app.origin}/callback**`), allow.click()]);
    const code = new URL(page.url()).searchParams.get('code')!;
    const tokens = await tokenRequest(kl, to, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: to.redirectUri });
    expect(tokens.status).toBe(200);
    return decodeJwt(String(tokens.body.id_token));
  }

  async function storedCredentials(): Promise<number> {
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    return credentials.length;
  }

  test('a new user creates a passkey on the way into an app that requires MFA, then signs in with it alone', async () => {
    const user = await createTestUser(kl);
    let verifier = await startSignIn(mfaClient);
    await password(user);
    expect(await page.locator('h1').textContent()).toBe('Protect your account');
    expectClean(await checkAtEveryWidth(page, 'enrol-factor'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'enrol-factor'));

    await Promise.all([page.waitForURL(/\/interaction\//), page.click('[data-passkey="register"]')]);
    await page.waitForSelector('h1:text("Save your recovery codes")');
    expect(recoveryCodesOnPage(await page.content())).toHaveLength(10);
    expect(await storedCredentials()).toBe(1);
    expectClean(await checkAtEveryWidth(page, 'recovery-codes'));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'I have saved my codes' }).click()]);
    // The passkey just created does not count toward that sign-in: the app's requirement is met by using it.
    await page.waitForSelector('h1:text("Two-step verification")');
    await page.click('[data-passkey="second-factor"]');
    const enrolled = await idTokenAtCallback(mfaClient, verifier);
    expect(enrolled.acr).toBe('phr');
    expect(enrolled.amr).toEqual(['pwd', 'hwk', 'mfa']);

    verifier = await startSignIn(client);
    await page.waitForSelector('[data-passkey="sign-in"]:visible');
    expectClean(await checkAtEveryWidth(page, 'login-with-passkey'));
    await presence(true);
    await page.click('[data-passkey="sign-in"]');
    const passkeyOnly = await idTokenAtCallback(client, verifier);
    expect(passkeyOnly.sub).toBe(user.id);
    expect(passkeyOnly.acr).toBe('phr');
    expect(passkeyOnly.amr).toEqual(['hwk', 'user', 'mfa']);

    // The browser offers the passkey in the email field's autofill; choosing it signs in, no button.
    verifier = await startSignIn(client, {}, { autofill: true });
    expect((await idTokenAtCallback(client, verifier)).sub).toBe(user.id);
  }, 90_000);

  test('a passkey is offered as the second factor after the password; the code page and recovery pages pass axe', async () => {
    const user = await createTestUser(kl);
    let verifier = await startSignIn(mfaClient);
    await password(user);
    const app = new TestAuthenticator((await page.locator('code.kl-secret').textContent())!.replace(/ /g, ''));
    await page.fill('#code', await app.nextCode());
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/enrol/totp"] button')]);
    const codes = recoveryCodesOnPage(await page.content());
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'I have saved my codes' }).click()]);
    await page.waitForSelector('h1:text("Two-step verification")');
    await page.fill('#code', await app.nextCode());
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/totp"] button')]);
    await idTokenAtCallback(mfaClient, verifier);

    verifier = await startSignIn(mfaClient);
    await password(user);
    expect(await page.locator('h1').textContent()).toBe('Two-step verification');
    await page.fill('#code', '000000');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/totp"] button')]);
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'step-error'");
    expectClean(await checkAtEveryWidth(page, 'second-factor-error'));
    await page.click('summary');
    await page.fill('#recovery-code', codes[0]!);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/recovery-code"] button')]);
    expect(await page.locator('h1').textContent()).toBe('You used a recovery code');
    expectClean(await checkAtEveryWidth(page, 'recovery-codes-left'));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Continue' }).click()]);
    expect((await idTokenAtCallback(mfaClient, verifier)).acr).toBe('urn:keyline:acr:mfa');
  }, 90_000);

  test('asking for phishing-resistant sign-in (acr_values=phr) takes a passkey and not a code', async () => {
    const user = await createTestUser(kl);
    const verifier = await startSignIn(client, { acr_values: 'phr' });
    await password(user);
    expect(await page.locator('h1').textContent()).toBe('Protect your account');
    expect(await page.locator('form[action$="/enrol/totp"]').count()).toBe(0);
    await Promise.all([page.waitForURL(/\/interaction\//), page.click('[data-passkey="register"]')]);
    await page.waitForSelector('h1:text("Save your recovery codes")');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'I have saved my codes' }).click()]);
    await page.waitForSelector('h1:text("Two-step verification")');
    await page.click('[data-passkey="second-factor"]');
    const claims = await idTokenAtCallback(client, verifier);
    expect(claims.acr).toBe('phr');

    const again = await startSignIn(client, { acr_values: 'phr' });
    await password(user);
    expect(await page.locator('h1').textContent()).toBe('Two-step verification');
    expectClean(await checkAtEveryWidth(page, 'second-factor-passkey'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'second-factor-passkey'));
    await page.click('[data-passkey="second-factor"]');
    expect((await idTokenAtCallback(client, again)).amr).toEqual(['pwd', 'hwk', 'mfa']);
  }, 90_000);

  test('the account page adds a named passkey, lists it, and passes axe at every width', async () => {
    const user = await createTestUser(kl);
    await context.clearCookies();
    await presence(false);
    await page.goto(`${kl.url}/account/security`);
    await password(user);
    expect(await page.locator('h1').textContent()).toBe('Sign-in methods');
    expectClean(await checkAtEveryWidth(page, 'account-security-empty'));
    await page.fill('#passkey-name', 'Work laptop');
    await Promise.all([page.waitForURL(/done=passkey_added/), page.click('[data-passkey="register"]')]);
    expect(await page.locator('.kl-factor-name').allTextContents()).toEqual(['Work laptop']);
    expect(await page.locator('[role=status]').textContent()).toContain('Your passkey was added.');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/account/security/recovery-codes"] button')]);
    expect(recoveryCodesOnPage(await page.content())).toHaveLength(10);
    await Promise.all([page.waitForURL(/\/account\/security$/), page.getByRole('link', { name: 'I have saved my codes' }).click()]);
    await page.click('.kl-account-main summary');
    expectClean(await checkAtEveryWidth(page, 'account-security'));
    const [factor] = await kl.store.factors.listByAccount(user.id);
    expect(factor).toMatchObject({ type: 'webauthn', name: 'Work laptop' });
  }, 90_000);
});

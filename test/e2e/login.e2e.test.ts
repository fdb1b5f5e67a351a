import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, tokenRequest, type TestClient, type TestUser } from '../support/oidc-flow.ts';

/**
 * A real browser through the login and consent pages, to the client's redirect URI.
 * Set E2E_SCREENSHOT_DIR to keep the screenshot.
 */

/** A stand-in for the client application: records every request to /callback, and can frame a URL. */
async function startClientApp(): Promise<{ origin: string; callbacks: URL[]; server: Server }> {
  const callbacks: URL[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') {
      callbacks.push(url);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Back at the app</title><h1>Signed in</h1>');
    } else if (url.pathname === '/frame') {
      const src = url.searchParams.get('src') ?? '';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>Framing attempt</title><iframe id="victim" src="${src.replace(/"/g, '&quot;')}"></iframe>`);
    } else if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, callbacks, server };
}

describeWithBrowser('signing in with a real browser', () => {
  let kl: RunningKeyline;
  let app: Awaited<ReturnType<typeof startClientApp>>;
  let client: TestClient;
  let user: TestUser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const screenshotDir = process.env.E2E_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'keyline-e2e-'));
  const problems: string[] = [];

  beforeAll(async () => {
    kl = await startKeyline();
    app = await startClientApp();
    client = await registerTestClient(kl, { name: 'Browser Test App', redirectUris: [`${app.origin}/callback`] });
    user = await createTestUser(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
    // Registered before any page script runs, and not subject to the page's CSP.
    await page.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
    });` });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|CSP/i.test(message.text())) {
        problems.push(`console ${message.type()} at ${message.location().url}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.server.close(() => resolve()) : resolve()));
    await kl?.stop();
    if (!process.env.E2E_SCREENSHOT_DIR) rmSync(screenshotDir, { recursive: true, force: true });
  });

  test('login, consent and the redirect back with a code that can be exchanged', async () => {
    const { verifier, challenge } = pkcePair();
    const state = 'state-e2e-1234';
    const nonce = 'nonce-e2e-5678';
    const loginResponse = await page.goto(authorizeUrl(kl, client, {
      scope: 'openid email profile', code_challenge: challenge, code_challenge_method: 'S256', state, nonce,
    }));
    expect(loginResponse?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\/[\w-]+$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
    await expect(page.getByText('to continue to Browser Test App').count()).resolves.toBe(1);

    // HTML pages must refuse to be framed: by header, and in fact.
    const headers = loginResponse!.headers();
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['x-frame-options']).toBe('DENY');

    const screenshot = join(screenshotDir, 'login-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`e2e: login page screenshot at ${screenshot}`);

    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL(/\/interaction\/[\w-]+$/), page.click('button.kl-primary')]);

    await expect(page.locator('h1').textContent()).resolves.toBe('Browser Test App wants to use your Keyline account');
    const consent = await page.locator('main').innerText();
    expect(consent).toContain('Know who you are on Keyline');
    expect(consent).toContain('See your email address');
    expect(consent).toContain('See your name');
    expect(consent).toContain(`You are signed in as ${user.email}`);

    await Promise.all([page.waitForURL(`${app.origin}/callback**`), page.getByRole('button', { name: 'Allow' }).click()]);
    expect(app.callbacks).toHaveLength(1);
    const callback = app.callbacks[0]!;
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(kl.url);
    expect(callback.searchParams.get('error')).toBeNull();

    // The code works: exchanged over plain HTTP, as the client's back end would.
    const tokens = await tokenRequest(kl, client, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code')!, code_verifier: verifier, redirect_uri: client.redirectUri,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('cache-control')).toBe('no-store');
    const idToken = decodeJwt(String(tokens.body.id_token));
    expect(idToken).toMatchObject({ iss: kl.url, aud: client.clientId, sub: user.id, nonce });

    // Every cookie the browser holds is HttpOnly and SameSite Lax or Strict.
    const cookies = await context.cookies();
    expect(cookies.map((cookie) => cookie.name)).toEqual(expect.arrayContaining(['keyline.session']));
    for (const cookie of cookies) {
      expect({ name: cookie.name, httpOnly: cookie.httpOnly, sameSiteOk: ['Lax', 'Strict'].includes(cookie.sameSite) })
        .toEqual({ name: cookie.name, httpOnly: true, sameSiteOk: true });
    }

    // No CSP violation, script error or failed request on any page of the flow.
    expect(problems).toEqual([]);
  }, 60_000);

  test('a Keyline page cannot be framed by another site', async () => {
    const framing = await context.newPage();
    const refusal = framing.waitForEvent('console', {
      predicate: (message) => /frame-ancestors|X-Frame-Options|Refused to (display|frame)/i.test(message.text()),
      timeout: 10_000,
    });
    const { challenge } = pkcePair();
    const victim = authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', state: 'framed', prompt: 'login' });
    await framing.goto(`${app.origin}/frame?src=${encodeURIComponent(victim)}`);
    expect((await refusal).text()).toMatch(/frame-ancestors 'none'/);
    // Chromium puts its own error page in a refused frame: no Keyline content is rendered inside.
    const frame = await (await framing.waitForSelector('#victim')).contentFrame();
    expect(frame?.url()).not.toContain(kl.url);
    expect(await frame?.locator('#password').count()).toBe(0);
    await framing.close();
  }, 30_000);
});

import { ActionLinks } from '../../src/accounts/self-service/action-links.ts';
import { AccountPages } from '../support/account-pages.ts';
import { sqliteBackend } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField, type Response } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { authorizeUrl, createTestUser, openLoginPage, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21, the sign-in pages' states over HTTP: one error style for a field's own error, an
 * invalid reset link as an error with a way forward, a way out of every error page, and what
 * consent shows of the app (its address, its logo only over https, plain link copy).
 */
const smtp = useSmtpServer();
let kl: RunningKeyline;
useKeyline(sqliteBackend, { config: { mail: smtp.mail, registration: { enabled: true } } }, (ready) => { ({ kl } = ready); });

/** The element with this id, as the page wrote it. */
function elementWithId(html: string, id: string): string | undefined {
  return new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>[^<]*`).exec(html)?.[0];
}

describe('a field\'s own error is in the error style, tied to its field', () => {
  test('sign-up: each refused field says why in the error style, is invalid, and is described by it', async () => {
    const { answer } = await submitSelfServiceForm(kl, '/sign-up', { email: 'not an address', name: 'n'.repeat(300), password: 'short' });
    expect(answer.status).toBe(400);
    for (const field of ['email', 'name', 'password']) {
      expect(elementWithId(answer.text, `${field}-error`)).toMatch(/^<p class="kl-field-error" id="[a-z]+-error">\S/);
      const input = elementWithId(answer.text, field)!;
      expect(input).toContain('aria-invalid="true"');
      expect(input).toMatch(new RegExp(`aria-describedby="${field}-error`));
    }
    // The hint stays a hint (what is asked), the error is separate (what went wrong).
    expect(elementWithId(answer.text, 'password-hint')).toMatch(/^<p class="kl-field-hint" id="password-hint">At least/);
    expect(answer.text).not.toMatch(/class="kl-field-hint" id="[a-z]+-error"/);
  });

  test('reset: a weak new password is the field\'s error, in the error style', async () => {
    const user = await createTestUser(kl);
    const token = await new ActionLinks(kl.store).issue('reset-password', (await kl.store.accounts.findByEmail(user.email))!, 600);
    const { answer } = await submitSelfServiceForm(kl, `/password/reset?token=${token}`, { password: 'password' });
    expect(answer.status).toBe(400);
    expect(elementWithId(answer.text, 'password-error')).toMatch(/^<p class="kl-field-error" id="password-error">.*too common/);
    expect(elementWithId(answer.text, 'password')).toMatch(/aria-invalid="true" aria-describedby="password-error password-hint"/);
  });

  test('profile: a refused value (the name included) is the field\'s error, in the error style', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    const refused = await pages.post('/account/profile', { name: 'n'.repeat(300), birthdate: '23/04/1990' });
    expect(refused.status).toBe(400);
    for (const field of ['name', 'birthdate']) {
      expect(elementWithId(refused.text, `${field}-problem`)).toMatch(/^<p class="kl-field-error" id="[a-z]+-problem">\S/);
      expect(elementWithId(refused.text, field)).toMatch(new RegExp(`aria-invalid="true" aria-describedby="${field}-problem"`));
    }
  });
});

test('an invalid reset link is an error (not news) with the way forward as the page\'s main action', async () => {
  const answer = await new BrowserLikeClient().get(`${kl.url}/password/reset?token=${'x'.repeat(43)}`);
  expect(answer.status).toBe(410);
  expect(answer.text).toContain('<div class="kl-alert" id="notice-error" role="alert"><p>The link was already used, has expired, or is incomplete.</p></div>');
  expect(answer.text).not.toContain('kl-note');
  expect(answer.text).toContain('<a class="kl-button kl-primary" href="/password/forgot">Ask for a new password reset link</a>');
});

describe('every error page has a way out', () => {
  test.each([
    ['an unknown client', () => `${kl.url}/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb`],
    ['an expired sign-in page', () => `${kl.url}/interaction/no-such-interaction`],
  ])('%s: the start page and the account, as nothing safe is known of the app', async (_what, url) => {
    const answer = await new BrowserLikeClient().get(url());
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<a class="kl-button kl-primary" href="/">Go to the start page</a>');
    expect(answer.text).toContain('<a href="/account">Go to your account</a>');
  });

  test('a known client: back to its registered home page', async () => {
    const client = await registerTestClient(kl, { name: 'Acme Notes', clientUri: 'https://notes.example/' });
    const answer = await new BrowserLikeClient().get(authorizeUrl(kl, client, {
      redirect_uri: 'https://elsewhere.example/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    }));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<a class="kl-button kl-primary" href="https://notes.example/" aria-describedby="back-link-host">Back to Acme Notes</a>');
    expect(answer.text).toContain('<p class="kl-secondary-form kl-muted kl-wrap" id="back-link-host"><span dir="ltr">notes.example</span></p>');
  });
});

describe('consent shows the app', () => {
  async function consentPage(client: TestClient): Promise<Response> {
    const user = await createTestUser(kl);
    const login = await openLoginPage(kl, client);
    const posted = await login.browser.postForm(login.action, { email: user.email, password: user.password, csrf: login.csrf });
    const page = await login.browser.followWithin(kl.url, posted);
    expect(page.text).toContain('/confirm"');
    expect(hiddenField(page.text, 'csrf')).toBeDefined();
    return page;
  }

  test('the address it sends the answer to, its https logo, and plain links each with their host', async () => {
    const client = await registerTestClient(kl, {
      name: 'Acme Notes',
      redirectUris: ['https://notes.acme.example/callback'],
      logoUri: 'https://cdn.acme.example/logo.png',
      clientUri: 'https://acme.example/',
      policyUri: 'https://legal.acme.example/privacy',
      tosUri: 'https://legal.acme.example/terms',
    });
    const page = await consentPage(client);
    expect(page.text).toContain('<p class="kl-client-domain">You\'ll go back to <strong dir="ltr">notes.acme.example</strong> afterwards.</p>');
    expect(page.text).toContain('<img class="kl-client-logo" src="https://cdn.acme.example/logo.png"');
    expect(page.headers.get('content-security-policy')).toMatch(/img-src [^;]*https:\/\/cdn\.acme\.example/);
    expect(page.text).toContain('<a href="https://acme.example/" rel="noopener noreferrer">Website</a><span class="kl-link-host"><bdi dir="ltr">acme.example</bdi></span>');
    expect(page.text).toContain('<a href="https://legal.acme.example/privacy" rel="noopener noreferrer">Privacy policy</a><span class="kl-link-host"><bdi dir="ltr">legal.acme.example</bdi></span>');
    expect(page.text).toContain('<a href="https://legal.acme.example/terms" rel="noopener noreferrer">Terms of service</a><span class="kl-link-host"><bdi dir="ltr">legal.acme.example</bdi></span>');
    expect(page.text).not.toMatch(/Website of|Privacy policy of|Terms of service of/);
  });

  // oidc-provider fills the interaction's redirect_uri in from the registration when it was left out.
  test('a request that leaves redirect_uri out (one is registered) still shows where the answer goes', async () => {
    const client = await registerTestClient(kl, { redirectUris: ['https://notes.acme.example/callback'] });
    const user = await createTestUser(kl);
    const browser = new BrowserLikeClient();
    const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
      redirect_uri: undefined, code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    })));
    const action = new URL(/action="([^"]+\/login)"/.exec(login.text)![1]!, kl.url).href;
    const page = await browser.followWithin(kl.url, await browser.postForm(action, { email: user.email, password: user.password, csrf: hiddenField(login.text, 'csrf')! }));
    expect(page.text).toContain('<strong dir="ltr">notes.acme.example</strong>');
  });

  test('a look-alike internationalised address is shown as the browser\'s address bar shows it (xn--)', async () => {
    const client = await registerTestClient(kl, { redirectUris: ['https://аcme.example/callback'] });
    const page = await consentPage(client);
    expect(page.text).toContain('<strong dir="ltr">xn--cme-5cd.example</strong>');
  });

  test('in German too', async () => {
    const client = await registerTestClient(kl, { redirectUris: ['https://notes.acme.example/callback'], policyUri: 'https://legal.acme.example/privacy' });
    const user = await createTestUser(kl);
    const german = { 'accept-language': 'de' };
    const login = await openLoginPage(kl, client, german);
    const page = await login.browser.followWithin(kl.url, await login.browser.postForm(login.action, { email: user.email, password: user.password, csrf: login.csrf }, german), german);
    expect(page.text).toContain('Danach kehren Sie zu <strong dir="ltr">notes.acme.example</strong> zurück.');
    expect(page.text).toContain('>Datenschutzerklärung</a>');
  });
});

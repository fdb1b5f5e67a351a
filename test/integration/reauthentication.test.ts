import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { authorizeUrl, continueSignIn, pkcePair, signIn, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';

let kl: RunningKeyline;
let client: TestClient;
let user: TestUser;
let browser: BrowserLikeClient;
useKeyline(sqliteBackend, {}, async (ready) => {
  ({ kl, client, user } = ready);
  browser = (await signIn(kl, client, user)).browser;
});

async function loginPage(params: Record<string, string>, path = ''): Promise<string> {
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
    code_challenge: pkcePair().challenge, code_challenge_method: 'S256', ...params,
  })));
  expect(page.status).toBe(200);
  if (!path) return page.text;
  const uid = /action="\/interaction\/([\w-]+)\/login"/.exec(page.text)![1];
  return (await browser.get(`${kl.url}/interaction/${uid}${path}`)).text;
}

test.each([
  ['prompt=login', { prompt: 'login' }],
  ['an expired max_age', { max_age: '0' }],
])('%s asks the signed-in person to confirm it is them, showing their email', async (_what, params) => {
  const html = await loginPage(params);
  expect(html).toContain("<h1>Confirm it's you</h1>");
  expect(html).toContain(`Signed in as ${user.email}`);
  expect(html).toMatch(/<input id="email" type="email" name="email" value="[^"]+" autocomplete="username" hidden>/);
  expect(html).toContain('Not you? Use another account');
});

test('"Not you?" shows the plain sign-in form, and its failures keep it', async () => {
  const html = await loginPage({ prompt: 'login' }, '?account=other');
  expect(html).toContain('<h1>Sign in</h1>');
  expect(html).toContain('name="account" value="other"');
  expect(html).not.toContain(user.email);
});

test('confirming it is you asks nothing about staying signed in, and keeps the session as long-lived as it was', async () => {
  const kept = await signIn(kl, client, user, { remember: true });
  const lasting = async () => (await kept.browser.jar.getCookies(kl.url)).find((cookie) => cookie.key === 'keyline.session')?.expires;
  expect(await lasting()).toBeInstanceOf(Date);
  const page = await kept.browser.followWithin(kl.url, await kept.browser.get(authorizeUrl(kl, client, {
    code_challenge: pkcePair().challenge, code_challenge_method: 'S256', prompt: 'login',
  })));
  expect(page.text).toContain("<h1>Confirm it's you</h1>");
  expect(page.text).not.toContain('name="remember"');
  expect(page.text).not.toContain('Keep me signed in');
  // The password alone, as the page posts it: the session stays one that outlives the browser.
  const back = await continueSignIn(kl, kept.browser, page, user);
  expect(back.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
  expect(await lasting()).toBeInstanceOf(Date);
});

import { allBackends } from '../support/backends.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, continueSignIn, pkcePair, signIn, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21 review: "Confirm it's you" has no "Keep me signed in" and keeps the session's lifetime.
 * But "Not you? Use another account" shows the plain form WITH the box, and signing in there as the
 * session's own account still kept the session's lifetime: on a shared computer, someone who left
 * the box unticked kept a session that outlives the browser. Wherever the box is on the page, it decides.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the "use another account" form on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let user: TestUser;
  useKeyline(backend, {}, (ready) => { ({ kl, client, user } = ready); });

  const sessionExpiry = async (browser: BrowserLikeClient) => (await browser.jar.getCookies(kl.url)).find((cookie) => cookie.key === 'keyline.session')?.expires;

  /** A session kept by an earlier sign-in, then the app asks again (prompt=login) and the person picks "Not you?". */
  async function anotherAccountForm(): Promise<{ browser: BrowserLikeClient; uid: string; csrf: string }> {
    const { browser } = await signIn(kl, client, user, { remember: true });
    expect(await sessionExpiry(browser)).toBeInstanceOf(Date);
    const confirm = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
      code_challenge: pkcePair().challenge, code_challenge_method: 'S256', prompt: 'login',
    })));
    expect(confirm.text).toContain("<h1>Confirm it's you</h1>");
    const uid = /action="\/interaction\/([\w-]+)\/login"/.exec(confirm.text)![1]!;
    const form = (await browser.get(`${kl.url}/interaction/${uid}?account=other`)).text;
    expect(form).toContain('<h1>Sign in</h1>');
    expect(form).toContain('name="remember"');
    return { browser, uid, csrf: /name="csrf" value="([^"]+)"/.exec(form)![1]! };
  }

  test('the box left unticked: the session now ends with the browser', async () => {
    const { browser, uid, csrf } = await anotherAccountForm();
    const back = await continueSignIn(kl, browser, await browser.postForm(`${kl.url}/interaction/${uid}/login`, {
      csrf, account: 'other', email: user.email, password: user.password,
    }), user);
    expect(back.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    expect(await sessionExpiry(browser)).toBe('Infinity');
  });

  test('the box ticked: the session outlives the browser', async () => {
    const { browser, uid, csrf } = await anotherAccountForm();
    const back = await continueSignIn(kl, browser, await browser.postForm(`${kl.url}/interaction/${uid}/login`, {
      csrf, account: 'other', email: user.email, password: user.password, remember: 'yes',
    }), user);
    expect(back.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    expect(await sessionExpiry(browser)).toBeInstanceOf(Date);
  });
});

import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient, type Response } from '../support/browser-like-client.ts';
import { factorsOf } from '../support/interaction-attacks.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, createTestUser, pkcePair, signIn, type TestClient } from '../support/oidc-flow.ts';
import { postStep, secretOnPage, TestAuthenticator, uidOf, type SecondFactorFlow } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Review of issue 19, items 1 and 2: a request for a stronger sign-in over an existing session
 * continues from what the session proved. For an account with no second factor there is nothing
 * to ask for, and the step-up used to go straight to "set one up": whoever holds the session
 * cookie alone (no password) added their own authenticator app to the owner's account, was shown
 * its recovery codes, and got a sign-in with a fresh auth_time (which the account pages'
 * re-authentication then accepted). A session alone never sets up a factor: the password is asked first.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const MFA = 'urn:keyline:acr:mfa';

describe.each(backends)('a step-up over a session on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, (ready) => { ({ kl, client } = ready); });

  /** An app's request for two factors, in a browser that is signed in: the page it lands on. */
  async function askForTwoFactors(browser: BrowserLikeClient): Promise<Response> {
    const { challenge } = pkcePair();
    return browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
      code_challenge: challenge, code_challenge_method: 'S256', acr_values: MFA,
    })));
  }

  test('a stolen session cookie cannot set up a second factor on an account that has none', async () => {
    const owner = await createTestUser(kl);
    // The owner signed in with the password alone; the attacker holds a copy of that browser's cookies.
    const stolen = (await signIn(kl, client, owner, { browser: new BrowserLikeClient() })).browser;

    const page = await askForTwoFactors(stolen);
    expect(page.status).toBe(200);
    // Asked for the password, not shown a secret to scan.
    expect(page.text).not.toMatch(/class="kl-secret"/);
    expect(page.text).toMatch(/name="password"/);

    const flow: SecondFactorFlow = { kl, browser: stolen, page, uid: uidOf(page.text) };
    const enrolled = await postStep(flow, 'enrol/totp', { code: '123456', name: 'Attacker' });
    expect(enrolled.status).toBe(400);
    expect(await factorsOf(kl, owner.id)).toEqual([]);
  });

  test('after the password, the same step-up sets one up as before', async () => {
    const owner = await createTestUser(kl);
    const browser = (await signIn(kl, client, owner, { browser: new BrowserLikeClient() })).browser;
    const page = await askForTwoFactors(browser);
    const flow: SecondFactorFlow = { kl, browser, page, uid: uidOf(page.text) };
    const enrolPage = await postStep(flow, 'login', { email: owner.email, password: owner.password });
    const app = new TestAuthenticator(secretOnPage(enrolPage.text));
    await postStep(flow, 'enrol/totp', { code: await app.nextCode(), name: 'Phone' });
    expect(await factorsOf(kl, owner.id)).toEqual([{ type: 'totp', name: 'Phone' }]);
  });
});

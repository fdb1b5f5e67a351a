import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { afterPassword, postStep } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 19, item 2: once a person has a second factor, every sign-in asks for it, whatever the
 * operator, the client or the request require, the account pages' own sign-in included.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('an enrolled second factor on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, (ready) => { ({ kl, client } = ready); });

  test('is asked for after the password by a client that requires nothing', async () => {
    const { user } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user);
    expect(flow.page.status).toBe(200);
    expect(flow.page.text).toContain('<h1>Two-step verification</h1>');
    expect(flow.page.location).toBeUndefined();
    // Skipping it: the consent route of the same interaction finishes nothing.
    const skipped = await postStep(flow, 'confirm');
    expect(skipped.location?.startsWith(client.redirectUri) ?? false).toBe(false);
  });

  test("is asked for by the account pages' sign-in", async () => {
    const { user } = await userWithAuthenticatorApp(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/sessions');
    const page = await pages.signIn(user);
    expect(page.text).toContain('<h1>Two-step verification</h1>');
    expect((await pages.browser.get(`${kl.url}/account/sessions`)).status).not.toBe(200);
  });

  test('one code, posted 20 times at once on one interaction, signs in once', async () => {
    const { user, app } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user);
    const csrf = hiddenField(flow.page.text, 'csrf')!;
    const code = await app.nextCode();
    const answers = await Promise.all(Array.from({ length: 20 }, () => flow.browser.postForm(
      `${kl.url}/interaction/${flow.uid}/totp`, { csrf, code },
    )));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.every((status) => [303, 400, 401, 429].includes(status))).toBe(true);
  });

  test("a code posted with another interaction's id, or to the wrong step, is refused", async () => {
    const { user, app } = await userWithAuthenticatorApp(kl);
    const victim = await afterPassword(kl, new BrowserLikeClient(), client, user);
    const attacker = new BrowserLikeClient();
    const own = await attacker.followWithin(kl.url, await attacker.get(`${kl.url}/account`));
    const posted = await attacker.postForm(`${kl.url}/interaction/${victim.uid}/totp`, {
      csrf: hiddenField(own.text, 'csrf') ?? '', code: await app.nextCode(),
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.status).toBeLessThan(500);
    // The victim's own interaction is at the code step, not setting one up or acknowledging codes.
    const csrf = hiddenField(victim.page.text, 'csrf')!;
    for (const step of ['enrol/totp', 'notice']) {
      const answer = await victim.browser.postForm(`${kl.url}/interaction/${victim.uid}/${step}`, { csrf, code: '123456' });
      expect(answer.status).toBe(400);
    }
  });
});

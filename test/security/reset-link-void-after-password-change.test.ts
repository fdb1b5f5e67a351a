import { AccountPages } from '../support/account-pages.ts';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { attemptLogin, createTestUser, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 19, item 7: a reset link mailed before the password changed (on the account page, by an
 * administrator, or by another reset) no longer works.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('reset links after a password change on $name', (backend) => {
  const smtp = useSmtpServer();
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, { config: { mail: smtp.mail, jobs: { retryBase: 0.3, retryMax: 1, pollInterval: 0.2 } } }, (ready) => {
    ({ kl, client } = ready);
  });

  async function resetLink(user: TestUser): Promise<string> {
    const { answer } = await submitSelfServiceForm(kl, '/password/forgot', { email: user.email });
    expect(answer.status).toBe(200);
    const link = new URL((await smtp.server().nextMailTo(user.email)).link!);
    return link.pathname + link.search;
  }

  const opens = async (path: string) => (await new BrowserLikeClient().get(new URL(path, kl.url).href)).status;

  test('a link mailed before a change on the account page is void', async () => {
    const user = await createTestUser(kl);
    const link = await resetLink(user);
    expect(await opens(link)).toBe(200);

    const pages = new AccountPages(kl);
    await pages.open('/account/password');
    await pages.signIn(user);
    const changed = await pages.post('/account/password', { current: user.password, password: 'the owner changed it' });
    expect(changed.status).toBe(200);
    expect((await attemptLogin(kl, client, user.email, 'the owner changed it')).status).toBe(303);

    expect(await opens(link)).toBe(410);
    const { answer } = await submitSelfServiceForm(kl, link, { password: 'an attacker sets this' }).catch(() => ({ answer: { status: 410 } }));
    expect(answer.status).toBe(410);
    expect((await attemptLogin(kl, client, user.email, 'an attacker sets this')).status).toBe(401);
  });

  test('a link mailed before an administrator set the password is void', async () => {
    const user = await createTestUser(kl);
    const link = await resetLink(user);
    await kl.keyline.accounts.setPassword(user.email, 'set by an administrator', 'admin');
    expect(await opens(link)).toBe(410);
  });

  test('completing one reset voids every other link mailed before it; one link used 20 times at once resets once', async () => {
    const user = await createTestUser(kl);
    const older = await resetLink(user);
    const newer = await resetLink(user);
    const browsers = await Promise.all(Array.from({ length: 20 }, async (_, index) => {
      const browser = new BrowserLikeClient();
      const page = await browser.get(new URL(newer, kl.url).href);
      return { browser, page, password: `concurrent passphrase number ${index}` };
    }));
    const answers = await Promise.all(browsers.map(({ browser, page, password }) => {
      const action = /<form method="post" action="([^"]+)"/.exec(page.text)![1]!;
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text)?.[1] ?? '';
      return browser.postForm(new URL(action, kl.url).href, { csrf: field('csrf'), token: field('token'), password });
    }));
    const done = answers.filter((answer) => answer.status === 200 && answer.text.includes('Your password was changed'));
    expect(done).toHaveLength(1);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 410)).toBe(true);
    expect(await opens(older)).toBe(410);
  });
});

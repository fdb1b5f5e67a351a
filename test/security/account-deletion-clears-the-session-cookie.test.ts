import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Once the account is gone its session cookie names a session that no longer exists: the answer
 * to "Delete my account" clears it (on a shared computer nothing of the account stays in the
 * browser). The goodbye page itself clears nothing: anyone can link to it, and a link must not
 * sign a visitor out of their own, living account.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const SESSION_COOKIE = /^keyline\.session(\.sig)?$/;

describe.each(backends)('the session cookie after "Delete my account" on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { account: { selfDelete: true } } }, (ready) => { ({ kl } = ready); });

  async function sessionCookies(pages: AccountPages): Promise<string[]> {
    return (await pages.browser.jar.getCookies(kl.url)).map((cookie) => cookie.key).filter((key) => SESSION_COOKIE.test(key));
  }

  test('the deletion clears it; the goodbye page then shows, signed out', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/delete');
    await pages.signIn(user);
    expect(await sessionCookies(pages)).not.toEqual([]);
    const deleted = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf: hiddenField(pages.page.text, 'csrf')! });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toMatch(/\/account\/deleted$/);
    expect(await sessionCookies(pages)).toEqual([]);
    expect((await pages.browser.get(deleted.location!)).status).toBe(200);
  });

  test('a link to the goodbye page signs nobody out', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    const before = await sessionCookies(pages);
    expect((await pages.browser.get(`${kl.url}/account/deleted`)).status).toBe(200);
    expect(await sessionCookies(pages)).toEqual(before);
    expect((await pages.browser.get(`${kl.url}/account`)).status).toBe(200);
  });
});

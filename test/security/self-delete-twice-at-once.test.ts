import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * A double click, or a script, sends "Delete my account" several times at once: every press lands
 * on the goodbye page or a sign-in (the account is gone), none answers 5xx, and the account is
 * removed once, with its removal recorded as done exactly once.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('"Delete my account" pressed many times at once on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { account: { selfDelete: true } } }, (ready) => { ({ kl } = ready); });

  test('ten presses at once: no 5xx, the account removed, one removal that succeeded', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/delete');
    await pages.signIn(user);
    const csrf = hiddenField(pages.page.text, 'csrf')!;
    const answers = await Promise.all(Array.from({ length: 10 }, () => pages.browser.postForm(`${kl.url}/account/delete`, { csrf })));
    expect(answers.filter((answer) => answer.status >= 500).map((answer) => answer.text.slice(0, 200))).toEqual([]);
    for (const answer of answers) {
      expect(answer.status).toBe(303);
      expect(answer.location).toMatch(/\/account\/deleted$|\/auth\?/);
    }
    expect(answers.some((answer) => answer.location?.endsWith('/account/deleted'))).toBe(true);
    expect(await kl.keyline.accounts.findById(user.id)).toBeUndefined();
    const removals = await kl.store.audit.query({ accountId: user.id, type: 'user.removed', limit: 100 });
    const failed = await kl.store.audit.query({ accountId: user.id, type: 'user.removed.failed', limit: 100 });
    expect(removals.length - failed.length).toBe(1);
    expect(removals[0]!.actor).toBe(`user:${user.id}`);
  });

  test('pressed again after it is done, it signs nobody in and changes nothing', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/delete');
    await pages.signIn(user);
    const csrf = hiddenField(pages.page.text, 'csrf')!;
    expect((await pages.browser.postForm(`${kl.url}/account/delete`, { csrf })).status).toBe(303);
    const again = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf });
    expect(again.status).toBe(303);
    expect(again.location).toMatch(/\/auth\?/);
  });
});

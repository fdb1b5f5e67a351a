import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { secretOnPage, TestAuthenticator } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * "Delete my account" cannot be undone, so it must not be in reach of a session cookie copied an
 * hour ago, of a password alone on an account with a second factor, or of another site's form:
 * it asks for the same fresh sign-in as the security pages (max_age 600, with the second factor),
 * and with `account.selfDelete` off it does not exist at all.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const AN_HOUR = 3600;

/** Moves the sign-in of every session of the account an hour back, as a copied old cookie would be. */
async function signedInAnHourAgo(kl: RunningKeyline, accountId: string): Promise<void> {
  for (const summary of await kl.keyline.accounts.listSessions(accountId)) {
    const session = (await kl.store.oidc.findByUid('Session', summary.uid!))!;
    await kl.store.oidc.upsert('Session', String(session.jti), { ...session, loginTs: Math.floor(Date.now() / 1000) - AN_HOUR }, 14 * 24 * 3600);
  }
}

describe.each(backends)('deleting one\'s own account on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { account: { selfDelete: true } } }, (ready) => { ({ kl } = ready); });

  async function freshlySignedIn() {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/delete');
    await pages.signIn(user);
    expect(pages.page.text).toContain('action="/account/delete"');
    return { user, pages, csrf: hiddenField(pages.page.text, 'csrf')! };
  }

  test('a sign-in an hour old is sent to sign in again (max_age), and the account stays', async () => {
    const { user, pages, csrf } = await freshlySignedIn();
    await signedInAnHourAgo(kl, user.id);
    const posted = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/\/auth\?.*max_age=600/);
    const page = await pages.browser.get(`${kl.url}/account/delete`);
    expect(page.status).toBe(303);
    expect(await kl.keyline.accounts.findById(user.id)).toBeDefined();
  });

  test('a session signed in with the password before a second factor was added is asked for the factor (acr_values)', async () => {
    const { user, pages: before, csrf } = await freshlySignedIn();
    // Elsewhere (the owner, or whoever holds the password) an authenticator app is added.
    const owner = new AccountPages(kl);
    await owner.open('/account/security');
    await owner.signIn(user);
    await owner.post('/account/security/totp');
    const app = new TestAuthenticator(secretOnPage(owner.page.text));
    await owner.post('/account/security/totp/confirm', { enrolment: hiddenField(owner.page.text, 'enrolment')!, code: await app.nextCode(), name: 'Phone' });
    expect(await kl.store.factors.listByAccount(user.id)).toHaveLength(1);
    // The older session, a password only, within ten minutes: still not enough to delete.
    const posted = await before.browser.postForm(`${kl.url}/account/delete`, { csrf });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/\/auth\?.*acr_values=/);
    expect(await kl.keyline.accounts.findById(user.id)).toBeDefined();
  });

  test('signed out, or from another site\'s form, nothing is deleted', async () => {
    const { user, pages } = await freshlySignedIn();
    const stranger = await new AccountPages(kl).browser.postForm(`${kl.url}/account/delete`, { csrf: 'forged' });
    expect(stranger.status).toBe(303);
    const forged = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await kl.keyline.accounts.findById(user.id)).toBeDefined();
  });

  test('a fresh sign-in and the page\'s token delete it', async () => {
    const { user, pages, csrf } = await freshlySignedIn();
    const posted = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${kl.url}/account/deleted`);
    expect(await kl.keyline.accounts.findById(user.id)).toBeUndefined();
    const goodbye = await pages.browser.get(`${kl.url}/account/deleted`);
    expect(goodbye.status).toBe(200);
    expect(goodbye.text).not.toContain(user.email);
    // The deleted account's cookie opens nothing any more.
    expect((await pages.browser.get(`${kl.url}/account`)).status).toBe(303);
  });
});

describe.each(backends)('with account.selfDelete off (the default) on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  test('there is no deletion: 404 for its page and its form, and no link to it', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account/data');
    await pages.signIn(user);
    expect(pages.page.status).toBe(200);
    expect(pages.page.text).not.toContain('/account/delete');
    const csrf = hiddenField(pages.page.text, 'csrf')!;
    expect((await pages.browser.get(`${kl.url}/account/delete`)).status).toBe(404);
    expect((await pages.browser.postForm(`${kl.url}/account/delete`, { csrf })).status).toBe(404);
    expect(await kl.keyline.accounts.findById(user.id)).toBeDefined();
  });
});

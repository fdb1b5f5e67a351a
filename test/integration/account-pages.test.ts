import { integrationBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  attemptLogin, createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const OFFLINE = { scope: 'openid offline_access', params: { prompt: 'consent' } };

/** An app the user signed in to in its own browser, holding a refresh token. */
async function appWithRefreshToken(kl: RunningKeyline, client: TestClient, user: TestUser, browser = new BrowserLikeClient()): Promise<string> {
  const tokens = await exchangeCode(kl, client, await signIn(kl, client, user, { ...OFFLINE, browser }));
  expect(tokens.status).toBe(200);
  return String(tokens.body.refresh_token);
}

async function refreshWorks(kl: RunningKeyline, client: TestClient, refreshToken: string): Promise<boolean> {
  const answer = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
  if (answer.status !== 200 && answer.body.error !== 'invalid_grant') throw new Error(`unexpected refresh answer ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.status === 200;
}

async function signedInPages(kl: RunningKeyline, user: TestUser, path: string): Promise<AccountPages> {
  const pages = new AccountPages(kl);
  await pages.open(path);
  await pages.signIn(user);
  expect(pages.page.status).toBe(200);
  return pages;
}

function sessionUids(html: string): string[] {
  return [...html.matchAll(/action="\/account\/sessions\/([^/"]+)\/end"/g)].map((match) => decodeURIComponent(match[1]!));
}

describe.each(backends)('the account pages on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  test('the profile shows the address and its state, refuses a bad value on its field, and saves good ones', async () => {
    const user = await createTestUser(kl);
    const pages = await signedInPages(kl, user, '/account');
    expect(pages.page.text).toContain('<h1>Profile</h1>');
    expect(pages.page.text).toContain(user.email);
    expect(pages.page.text).toContain('Not confirmed');
    expect(pages.page.text).toContain('aria-current="page">Profile</a>');

    const refused = await pages.post('/account/profile', { name: 'Ada Lovelace', birthdate: '23/04/1990' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/id="birthdate"[^>]*aria-invalid="true"/);
    expect(refused.text).toContain('aria-describedby="birthdate-problem"');
    expect((await kl.store.accounts.findByEmail(user.email))?.name).not.toBe('Ada Lovelace');

    const saved = await pages.post('/account/profile', { name: 'Ada Lovelace', given_name: 'Ada', birthdate: '1990-04-23', zoneinfo: 'Europe/London' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Your profile is saved.');
    const account = await kl.store.accounts.findByEmail(user.email);
    expect(account).toMatchObject({ name: 'Ada Lovelace', profile: expect.objectContaining({ given_name: 'Ada', birthdate: '1990-04-23', zoneinfo: 'Europe/London' }) });
    const events = await kl.store.audit.query({ limit: 50 });
    expect(events.find((event) => event.type === 'account.profile_updated' && event.accountId === account!.id)).toBeDefined();
  });

  test('a password change needs the current password and the policy, ends the other sessions and keeps this one', async () => {
    const user = await createTestUser(kl);
    const client = await registerTestClient(kl);
    const elsewhere = await appWithRefreshToken(kl, client, user);
    const pages = await signedInPages(kl, user, '/account/password');

    expect((await pages.post('/account/password', { current: 'not my password', password: 'a brand new passphrase' })).status).toBe(400);
    expect(pages.page.text).toContain('The current password is not right.');
    expect((await pages.post('/account/password', { current: user.password, password: 'short' })).status).toBe(400);
    expect(pages.page.text).toContain('at least 8 characters');
    expect(await refreshWorks(kl, client, elsewhere)).toBe(true);

    const changed = await pages.post('/account/password', { current: user.password, password: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('Your password is changed.');
    expect(await refreshWorks(kl, client, elsewhere)).toBe(false);
    expect((await pages.open('/account/sessions')).text).toContain('<h1>Sessions</h1>');

    expect((await attemptLogin(kl, client, user.email, user.password)).status).toBe(401);
    expect((await attemptLogin(kl, client, user.email, 'a brand new passphrase')).status).toBe(303);
  });

  test('ending one session kills exactly that session\'s refresh token; "everywhere else" ends the rest and keeps this one', async () => {
    const user = await createTestUser(kl);
    const client = await registerTestClient(kl);
    const laptop = await appWithRefreshToken(kl, client, user);
    const phone = await appWithRefreshToken(kl, client, user);
    const pages = await signedInPages(kl, user, '/account/sessions');
    expect(pages.page.text).toContain('This device');
    const others = sessionUids(pages.page.text);
    expect(others).toHaveLength(2);

    await pages.post(`/account/sessions/${encodeURIComponent(others[0]!)}/end`);
    expect(pages.page.text).toContain('The session is ended.');
    const [laptopNow, phoneNow] = await Promise.all([laptop, phone].map((token) => tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: token })));
    expect([laptopNow!.status, phoneNow!.status].sort()).toEqual([200, 400]);
    const survivor = String((laptopNow!.status === 200 ? laptopNow : phoneNow)!.body.refresh_token);

    await pages.open('/account/sessions');
    expect(sessionUids(pages.page.text)).toHaveLength(1);
    await pages.post('/account/sessions/end-others');
    expect(pages.page.text).toContain('Every other session is ended.');
    expect(pages.page.text).toContain('You are signed in on this device only.');
    expect(await refreshWorks(kl, client, survivor)).toBe(false);
  });

  test('"remove access" forgets the consent and makes that client\'s refresh token fail; another client keeps its own', async () => {
    const user = await createTestUser(kl);
    const mail = await registerTestClient(kl, { name: 'Mail Reader' });
    const calendar = await registerTestClient(kl, { name: 'Calendar' });
    const browser = new BrowserLikeClient();
    const mailToken = await appWithRefreshToken(kl, mail, user, browser);
    const calendarToken = await appWithRefreshToken(kl, calendar, user, browser);
    const pages = new AccountPages(kl, browser);
    await pages.open('/account/apps');
    expect(pages.page.text).toContain('Mail Reader');
    expect(pages.page.text).toContain('Calendar');

    await pages.post(`/account/apps/${encodeURIComponent(mail.clientId)}/remove`);
    expect(pages.page.text).toContain('Access removed.');
    expect(pages.page.text).not.toContain('Mail Reader');
    expect(await refreshWorks(kl, mail, mailToken)).toBe(false);
    expect(await refreshWorks(kl, calendar, calendarToken)).toBe(true);
    expect(await kl.store.consents.find(user.id, mail.clientId)).toBeUndefined();
    const events = await kl.store.audit.query({ limit: 50 });
    expect(events.find((event) => event.type === 'consent.revoked' && event.clientId === mail.clientId)).toBeDefined();
  });

  test('every change is a POST with the page\'s CSRF token: without it nothing changes', async () => {
    const user = await createTestUser(kl);
    const client = await registerTestClient(kl);
    const token = await appWithRefreshToken(kl, client, user);
    const pages = await signedInPages(kl, user, '/account/sessions');
    for (const path of ['/account/sessions/end-others', '/account/password', `/account/apps/${client.clientId}/remove`, '/account/profile']) {
      const answer = await pages.browser.postForm(`${kl.url}${path}`, { current: user.password, password: 'another long passphrase', name: 'Mallory' });
      expect(answer.status).toBe(403);
    }
    expect(await refreshWorks(kl, client, token)).toBe(true);
    expect((await kl.store.accounts.findByEmail(user.email))?.name).not.toBe('Mallory');
  });

  test('"Sign out" on the account pages ends this session after the confirmation; the pages then ask to sign in again', async () => {
    const user = await createTestUser(kl);
    const pages = await signedInPages(kl, user, '/account/sessions');
    expect(pages.page.text).toContain('<a href="/session/end">Sign out</a>');
    const account = await kl.store.accounts.findByEmail(user.email);
    expect(await kl.store.oidc.listByAccount('Session', account!.id)).toHaveLength(1);

    const confirm = await pages.browser.get(`${kl.url}/session/end`);
    expect(confirm.status).toBe(200);
    const done = await pages.browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(await kl.store.oidc.listByAccount('Session', account!.id)).toHaveLength(0);

    const again = await pages.open('/account/sessions');
    expect(again.text).toContain('action="/interaction/');
    expect(again.text).not.toContain('<h1>Sessions</h1>');
  });

  test('signed out, each section sends the browser to sign in and back to that section', async () => {
    const user = await createTestUser(kl);
    for (const [path, heading] of [['/account/password', 'Password'], ['/account/sessions', 'Sessions'], ['/account/apps', 'Connected apps']] as const) {
      const pages = await signedInPages(kl, user, path);
      expect(pages.page.text).toContain(`<h1>${heading}</h1>`);
      expect(pages.page.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe.each(backends)('the account page with mail on $name', (backend) => {
  let kl: RunningKeyline;
  const smtp = useSmtpServer();
  const { mail } = smtp;
  useKeyline(backend, { config: { mail, jobs: { pollInterval: 0.2 } } }, (ready) => { ({ kl } = ready); });

  test('"Send a confirmation link" mails one; following it confirms the address the profile shows', async () => {
    const user = await createTestUser(kl);
    const pages = await signedInPages(kl, user, '/account');
    expect(pages.page.text).toContain('Send a confirmation link');
    const sent = await pages.post('/account/email/verification');
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('We sent a link to your address.');
    const message = await smtp.server().nextMailTo(user.email);
    expect(message.subject).toBe('Confirm your email address');
    const link = new URL(message.link!);
    const { answer } = await submitSelfServiceForm(kl, link.pathname + link.search, {});
    expect(answer.status).toBe(200);
    expect((await kl.store.accounts.findByEmail(user.email))?.emailVerified).toBe(true);
    expect((await pages.open('/account')).text).toContain('Confirmed');
    expect(pages.page.text).not.toContain('Send a confirmation link');
  });
});

import { join } from 'node:path';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  attemptLogin, createTestUser, openLoginPage, registerTestClient, signIn, silentAuthorize, type TestClient,
} from '../support/oidc-flow.ts';

/** The page minus what legitimately differs per response: nonces, CSRF tokens, interaction ids, the email typed. */
function normalized(html: string, email: string): string {
  return html
    .replace(/nonce="[^"]+"/g, 'nonce=""')
    .replace(/name="csrf" value="[^"]+"/g, 'name="csrf" value=""')
    .replace(/data-csrf="[^"]+"/g, 'data-csrf=""')
    .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
    .replaceAll(email, 'EMAIL');
}

describe('login forms', () => {
  let kl: RunningKeyline;
  let client: TestClient;

  beforeAll(async () => {
    kl = await startKeyline();
    client = await registerTestClient(kl);
  });
  afterAll(() => kl.stop());

  test('a login POST without a CSRF token is refused and changes nothing', async () => {
    const user = await createTestUser(kl);
    const { browser, action } = await openLoginPage(kl, client);
    const response = await browser.postForm(action, { email: user.email, password: user.password });
    expect(response.status).toBe(403);
    expect(response.text).toContain('not sent from the Keyline sign-in page');
    expect(await kl.store.oidc.listByAccount('Session', user.id)).toEqual([]);
  });

  test('a login POST carrying another interaction\'s CSRF token is refused', async () => {
    const user = await createTestUser(kl);
    const other = await openLoginPage(kl, client);
    const mine = await openLoginPage(kl, client);
    expect(other.csrf).not.toBe(mine.csrf);
    const response = await mine.browser.postForm(mine.action, { email: user.email, password: user.password, csrf: other.csrf });
    expect(response.status).toBe(403);
    expect(await kl.store.oidc.listByAccount('Session', user.id)).toEqual([]);
  });

  test('a consent POST without the CSRF token is refused', async () => {
    const user = await createTestUser(kl);
    const { browser, action, csrf } = await openLoginPage(kl, client);
    const consentPage = await browser.followWithin(kl.url, await browser.postForm(action, { email: user.email, password: user.password, csrf }));
    const confirm = `${kl.url}${/action="([^"]+\/confirm)"/.exec(consentPage.text)![1]}`;
    const refused = await browser.postForm(confirm, {});
    expect(refused.status).toBe(403);
    expect(await kl.store.oidc.listByAccount('Grant', user.id)).toEqual([]);
    const accepted = await browser.postForm(confirm, { csrf: hiddenField(consentPage.text, 'csrf')! });
    expect(accepted.status).toBe(303);
  });

  test('a successful login answers 303 and no-store, so a reload never re-posts the form', async () => {
    const user = await createTestUser(kl);
    const response = await attemptLogin(kl, client, user.email, user.password);
    expect(response.status).toBe(303);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('an unknown email and a wrong password get the same status and the same page', async () => {
    const user = await createTestUser(kl);
    const wrongPassword = await attemptLogin(kl, client, user.email, 'not the password at all');
    const unknownEmail = await attemptLogin(kl, client, 'nobody-here@example.test', 'not the password at all');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(normalized(unknownEmail.text, 'nobody-here@example.test')).toBe(normalized(wrongPassword.text, user.email));
  });
});

describe('login throttling shared by two Keyline nodes on one store', () => {
  const directory = temporaryDirectory();
  const store = join(directory.path, 'shared.sqlite');
  const login = { backoffAfterFailures: 1000, lockAfterFailures: 4, lockout: 60, ipMaxFailures: 1000 };
  let nodeA: RunningKeyline;
  let nodeB: RunningKeyline;
  let client: TestClient;

  beforeAll(async () => {
    nodeA = await startKeyline({ store, config: { login } });
    nodeB = await startKeyline({ store, config: { login } });
    client = await registerTestClient(nodeA);
  });
  afterAll(async () => {
    await nodeA.stop();
    await nodeB.stop();
    directory.remove();
  });

  test('failures on either node count toward one lock, which holds on both and spares other accounts', async () => {
    const target = await createTestUser(nodeA);
    const bystander = await createTestUser(nodeA);
    for (const node of [nodeA, nodeB, nodeA, nodeB]) {
      expect((await attemptLogin(node, client, target.email, 'wrong guess here')).status).toBe(401);
    }
    for (const node of [nodeA, nodeB]) {
      const locked = await attemptLogin(node, client, target.email, target.password);
      expect(locked.status).toBe(429);
      expect(locked.text).toContain('Too many failed sign-in attempts');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await attemptLogin(nodeB, client, bystander.email, bystander.password)).status).toBe(303);
  });

  test('an unknown email locks the same way, so a lock reveals nothing', async () => {
    for (const node of [nodeA, nodeB, nodeA, nodeB]) {
      expect((await attemptLogin(node, client, 'ghost@example.test', 'wrong guess here')).status).toBe(401);
    }
    expect((await attemptLogin(nodeA, client, 'ghost@example.test', 'wrong guess here')).status).toBe(429);
  });
});

test('after a few failures an account must wait, with a growing backoff', async () => {
  const kl = await startKeyline({ config: { login: { backoffAfterFailures: 2, maxBackoff: 30, lockAfterFailures: 100, ipMaxFailures: 1000 } } });
  try {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    expect((await attemptLogin(kl, client, user.email, 'wrong guess here')).status).toBe(401);
    expect((await attemptLogin(kl, client, user.email, 'wrong guess here')).status).toBe(401);
    const waiting = await attemptLogin(kl, client, user.email, user.password);
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  } finally {
    await kl.stop();
  }
});

test('too many failures from one IP are refused for a while, whatever the email', async () => {
  const kl = await startKeyline({ config: { login: { backoffAfterFailures: 1000, lockAfterFailures: 1000, ipMaxFailures: 3 } } });
  try {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    for (let i = 0; i < 3; i += 1) {
      expect((await attemptLogin(kl, client, `guess${i}@example.test`, 'wrong guess here')).status).toBe(401);
    }
    expect((await attemptLogin(kl, client, user.email, user.password)).status).toBe(429);
  } finally {
    await kl.stop();
  }
});

test('cookie keys rotate: old keys still verify (and re-sign), and a retired key stops verifying', async () => {
  const directory = temporaryDirectory();
  const store = join(directory.path, 'keys.sqlite');
  const oldKey = 'o'.repeat(40);
  const newKey = 'n'.repeat(40);
  const first = await startKeyline({ store, config: { cookies: { keys: [oldKey] } } });
  const port = Number(new URL(first.url).port);
  const client = await registerTestClient(first);
  const user = await createTestUser(first);
  const active = (await signIn(first, client, user)).browser;
  const dormant = (await signIn(first, client, user)).browser;
  await first.stop({ keepStore: true });
  await new Promise((resolve) => setTimeout(resolve, 100));

  const silent = (kl: RunningKeyline, browser: BrowserLikeClient) => silentAuthorize(kl, client, browser);
  const rotated = await startKeyline({ store, port, config: { cookies: { keys: [newKey, oldKey] } } });
  try {
    expect((await silent(rotated, active)).searchParams.get('code')).toBeTruthy();
  } finally {
    await rotated.stop({ keepStore: true });
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const retired = await startKeyline({ store, port, config: { cookies: { keys: [newKey] } } });
  try {
    // re-signed with the new key while both were listed
    expect((await silent(retired, active)).searchParams.get('code')).toBeTruthy();
    // signed only ever with the retired key
    expect((await silent(retired, dormant)).searchParams.get('error')).toBe('login_required');
  } finally {
    await retired.stop();
    directory.remove();
  }
});

/**
 * POST /interaction/:uid/upstream/:id, the login page's buttons, as an attacker uses it: an upstream
 * the client does not offer (another client's, a disabled one, an unknown id, a path-traversing id),
 * without the page's CSRF token or with another interaction's (login CSRF: another site starting an
 * upstream sign-in in the victim's browser), after the login step, and 20 presses at once.
 */
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { createTestUser, openLoginPage, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addThreeUpstreams, addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
let onlyGoogle: TestClient;

beforeAll(async () => {
  kl = await startKeyline();
  await addThreeUpstreams(kl);
  await addUpstream(kl, { id: 'retired', name: 'Retired IdP', enabled: false });
  onlyGoogle = await registerTestClient(kl, { upstreams: ['google'] });
});
afterAll(() => kl?.stop());

async function loginPage(client = onlyGoogle) {
  const opened = await openLoginPage(kl, client);
  const uid = /\/interaction\/([\w-]+)\/login/.exec(opened.page.text)![1]!;
  return { ...opened, uid, start: (id: string, form: Record<string, string>) => opened.browser.postForm(`${kl.url}/interaction/${uid}/upstream/${id}`, form) };
}

test('only an upstream the client offers starts: another client\'s, a disabled one and an unknown id are 404', async () => {
  const { start, csrf } = await loginPage();
  for (const id of ['acme', 'github', 'retired', 'nobody', '..%2Flogin', '%2e%2e']) {
    const answer = await start(id, { csrf });
    expect({ id, status: answer.status }).toEqual({ id, status: 404 });
    expect(answer.location).toBeUndefined();
  }
});

test('a press without the page\'s CSRF token, or with another interaction\'s, is refused before anything starts', async () => {
  const victim = await loginPage();
  const attacker = await loginPage();
  for (const form of [{} as Record<string, string>, { csrf: '' }, { csrf: attacker.csrf }, { csrf: `${victim.csrf}x` }]) {
    const answer = await victim.start('google', form);
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('upstream_');
  }
  expect(kl.logs.some((line) => line.includes('federation.upstream_failed'))).toBe(false);
});

test('another browser cannot press a button of this sign-in, even with its form token', async () => {
  const { uid, csrf } = await loginPage();
  const stranger = new BrowserLikeClient();
  const answer = await stranger.postForm(`${kl.url}/interaction/${uid}/upstream/google`, { csrf });
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
});

test('20 presses at once each get an answer, none a 5xx other than the upstream\'s own 502 page', async () => {
  const { start, csrf } = await loginPage();
  const answers = await Promise.all(Array.from({ length: 20 }, () => start('google', { csrf })));
  for (const answer of answers) {
    // Before a connector is registered: upstream_failed (502). With one: a 303 to the upstream or its 502 page.
    expect([303, 502]).toContain(answer.status);
    if (answer.status === 502) expect(answer.text).toMatch(/upstream_(failed|unreachable)/);
  }
});

test('after the login step (the consent prompt) a button press is refused', async () => {
  const { browser, action, csrf } = await loginPage();
  const user = await createTestUser(kl);
  const signedIn = await browser.postForm(action, { email: user.email, password: user.password, csrf });
  expect(signedIn.status).toBe(303);
  const consent = await browser.followWithin(kl.url, signedIn);
  const consentUid = /\/interaction\/([\w-]+)\/confirm/.exec(consent.text)?.[1];
  expect(consentUid).toBeDefined();
  const answer = await browser.postForm(`${kl.url}/interaction/${consentUid}/upstream/google`, { csrf: hiddenField(consent.text, 'csrf')! });
  expect(answer.status).toBe(400);
  expect(answer.location).toBeUndefined();
});

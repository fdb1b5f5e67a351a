/**
 * A client with --no-local-login hides the password form, but hiding is not refusing: a person (or
 * an attacker with a guessed or leaked password) can still post to the interaction's password and
 * passkey steps by hand. Both must refuse for that client, before any credential is checked.
 */
import { hiddenField } from '../support/browser-like-client.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
let upstreamOnly: TestClient;

beforeAll(async () => {
  kl = await startKeyline();
  await addUpstream(kl, { id: 'acme', name: 'Acme Corp SSO' });
  upstreamOnly = await registerTestClient(kl, { upstreams: ['acme'], noLocalLogin: true });
});
afterAll(() => kl?.stop());

async function openUpstreamOnlyLogin() {
  const browser = new BrowserLikeClient();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, upstreamOnly, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })));
  const uid = /\/interaction\/([\w-]+)\/abort/.exec(page.text)![1]!;
  return { browser, uid, csrf: hiddenField(page.text, 'csrf')! };
}

test('the right password posted by hand does not sign in to a client without local login', async () => {
  const user = await createTestUser(kl);
  const { browser, uid, csrf } = await openUpstreamOnlyLogin();
  const answer = await browser.postForm(`${kl.url}/interaction/${uid}/login`, { email: user.email, password: user.password, csrf });
  expect(answer.status).toBe(403);
  expect(answer.location).toBeUndefined();
  expect(kl.logs.some((line) => line.includes('"login.succeeded"') || line.includes('"type":"login.succeeded"'))).toBe(false);
});

test('signing in with a passkey alone is refused too, options and answer', async () => {
  const { browser, uid, csrf } = await openUpstreamOnlyLogin();
  for (const step of ['passkey/options', 'passkey']) {
    const answer = await browser.request(`${kl.url}/interaction/${uid}/${step}`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf, purpose: 'sign-in', challengeId: 'x', response: { id: 'x' } }),
    });
    expect({ step, status: answer.status, error: answer.json().error }).toEqual({ step, status: 403, error: 'access_denied' });
  }
});

test('a passkey as the second factor is not refused for local login (it follows an upstream step): it still needs that step', async () => {
  const { browser, uid, csrf } = await openUpstreamOnlyLogin();
  const answer = await browser.request(`${kl.url}/interaction/${uid}/passkey/options`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ csrf, purpose: 'second-factor' }),
  });
  expect(answer.status).toBe(400);
  expect(answer.json().error).toBe('interaction_mismatch');
});

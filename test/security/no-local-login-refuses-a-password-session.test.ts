/**
 * `--no-local-login` refuses a hand-posted password, but a person does not need to post one to this
 * client: they sign in with their Keyline password at any other client (or the account pages), and
 * the single sign-on session then carries them into the upstream-only client with no login step at
 * all. A client without local login must not be reached by a person who has only a Keyline
 * password: a session that did not come through an upstream (no `fed` in its amr) asks to sign in
 * again, on the page that offers only the upstreams, and `prompt=none` answers login_required. The
 * device flow's sign-in is the same login step and is held the same way.
 */
import { DEVICE_CODE_GRANT } from '../../src/oidc/client-registration.ts';
import { confirmUserCode, enterUserCode, pollForTokens, signInForDevice, startDeviceAuthorization } from '../support/device-flow.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, signIn, type TestClient } from '../support/oidc-flow.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let kl: RunningKeyline;
let everyday: TestClient;
let upstreamOnly: TestClient;

beforeAll(async () => {
  kl = await startKeyline();
  await addUpstream(kl, { id: 'acme', name: 'Acme Corp SSO' });
  everyday = await registerTestClient(kl);
  upstreamOnly = await registerTestClient(kl, { upstreams: ['acme'], noLocalLogin: true });
});
afterAll(() => kl?.stop());

test('a session signed in with a password at another client does not carry the person into a client without local login', async () => {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyday, user);
  const { challenge } = pkcePair();
  let answer = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, upstreamOnly, { code_challenge: challenge, code_challenge_method: 'S256' })));
  // Whatever consent the client asks for is given: only the login step may stop the person.
  for (let step = 0; step < 2 && answer.status === 200 && /action="[^"]+\/confirm"/.test(answer.text); step += 1) {
    const confirm = /action="([^"]+\/confirm)"/.exec(answer.text)![1]!;
    answer = await browser.followWithin(kl.url, await browser.postForm(new URL(confirm, kl.url).href, { csrf: hiddenField(answer.text, 'csrf')! }));
  }
  expect(answer.location ?? '').not.toContain('code=');
  expect(answer.status).toBe(200);
  expect(answer.text).toContain('/upstream/acme');
  expect(answer.text).not.toMatch(/name="password"/);
});

test('prompt=none with only a password session is login_required for a client without local login', async () => {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyday, user);
  const { challenge } = pkcePair();
  const answer = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, upstreamOnly, {
    prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256',
  })));
  const callback = new URL(answer.location!);
  expect(callback.searchParams.get('code')).toBeNull();
  expect(callback.searchParams.get('error')).toBe('login_required');
});

test('the same session still signs in to a client that allows local login (single sign-on is not broken)', async () => {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyday, user);
  const other = await registerTestClient(kl);
  await expect(signIn(kl, other, user, { browser })).resolves.toMatchObject({ code: expect.any(String) });
});

test('a device client without local login is not approved on the strength of a password session either', async () => {
  const user = await createTestUser(kl);
  const { browser } = await signIn(kl, everyday, user);
  const tv = await registerTestClient(kl, {
    name: 'Upstream-only TV', grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], redirectUris: [], postLogoutRedirectUris: [], upstreams: ['acme'], noLocalLogin: true,
  });
  const device = await startDeviceAuthorization(kl, tv);
  const afterConfirm = await confirmUserCode(kl, browser, await enterUserCode(kl, browser, device.user_code));
  const { last } = await signInForDevice(kl, browser, afterConfirm, user);
  expect(last.text).toContain('/upstream/acme');
  expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('authorization_pending');
});

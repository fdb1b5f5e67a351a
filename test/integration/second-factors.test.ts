import { integrationBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  authorizeUrl, createTestUser, pkcePair, registerTestClient, signIn, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import {
  afterPassword, finishAtClient, idTokenClaimsAt, postStep, recoveryCodesOnPage, secretOnPage, stepUpWithCode, TestAuthenticator, uidOf,
} from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const MFA = 'urn:keyline:acr:mfa';

describe.each(backends)('second factors on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let mfaClient: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    mfaClient = await registerTestClient(kl, { requireMfa: true });
  });

  /** A new user who set up an authenticator app on the way into the MFA client; their secret and codes. */
  async function enrolledUser(): Promise<{ user: TestUser; app: TestAuthenticator; recoveryCodes: string[] }> {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const app = new TestAuthenticator(secretOnPage(flow.page.text));
    const codes = await postStep(flow, 'enrol/totp', { code: await app.nextCode() });
    const recoveryCodes = recoveryCodesOnPage(codes.text);
    await postStep(flow, 'notice');
    await postStep(flow, 'totp', { code: await app.nextCode() });
    await finishAtClient(flow, mfaClient);
    return { user, app, recoveryCodes };
  }

  test('a client that requires MFA has a new user set up an authenticator app, then shows recovery codes once', async () => {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    expect(flow.page.status).toBe(200);
    expect(flow.page.text).toContain('<h1>Protect your account</h1>');
    expect(flow.page.text).toContain('<svg');
    const secret = secretOnPage(flow.page.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const app = new TestAuthenticator(secret);

    const wrong = await postStep(flow, 'enrol/totp', { code: app.futureCode() });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right');
    expect(secretOnPage(wrong.text)).toBe(secret);

    const codes = await postStep(flow, 'enrol/totp', { code: await app.nextCode() });
    expect(codes.status).toBe(200);
    expect(codes.text).toContain('<h1>Save your recovery codes</h1>');
    const recoveryCodes = recoveryCodesOnPage(codes.text);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    // The app just set up proves nothing about who signed in: the client's requirement is met
    // only by a code from it, asked for next (without the password again).
    const stepUp = await postStep(flow, 'notice');
    expect(stepUp.text).toContain('<h1>Two-step verification</h1>');
    expect(stepUp.text).not.toContain('name="password"');
    await postStep(flow, 'totp', { code: await app.nextCode() });
    const claims = await idTokenClaimsAt(flow, mfaClient);
    expect(claims.acr).toBe(MFA);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    const events = (await kl.store.audit.query({ limit: 10_000 })).filter((event) => event.accountId === user.id).map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['mfa.enrolled', 'login.succeeded']));
  });

  test('with a factor, the password is followed by the code; a code is accepted once, and the window is one step either side', async () => {
    const { user, app } = await enrolledUser();
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    expect(flow.page.text).toContain('<h1>Two-step verification</h1>');
    expect(flow.page.text).toContain('autocomplete="one-time-code"');

    expect((await postStep(flow, 'totp', { code: app.lastCode })).status).toBe(401);
    expect((await postStep(flow, 'totp', { code: app.futureCode() })).status).toBe(401);
    expect((await postStep(flow, 'totp', { code: 'abcdef' })).status).toBe(401);
    const accepted = await app.nextCode();
    await postStep(flow, 'totp', { code: accepted });
    const claims = await idTokenClaimsAt(flow, mfaClient);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);

    const again = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const replay = await postStep(again, 'totp', { code: accepted });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('already been used');
    await postStep(again, 'totp', { code: await app.nextCode() });
    expect((await idTokenClaimsAt(again, mfaClient)).acr).toBe(MFA);
  }, 90_000); // four codes from one app: it may have to wait for a time step

  test('a recovery code stands in for the code once; the next page says how many are left', async () => {
    const { user, recoveryCodes } = await enrolledUser();
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const left = await postStep(flow, 'recovery-code', { code: recoveryCodes[3]!.toLowerCase() });
    expect(left.status).toBe(200);
    expect(left.text).toContain('You have 9 recovery codes left.');
    await postStep(flow, 'notice');
    expect((await idTokenClaimsAt(flow, mfaClient)).acr).toBe(MFA);

    const again = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const reused = await postStep(again, 'recovery-code', { code: recoveryCodes[3]! });
    expect(reused.status).toBe(401);
    expect(reused.text).toContain('That recovery code is not right or has already been used.');
  });

  test('with a factor, every sign-in asks for it, even where nothing requires MFA; the id_token says what was done', async () => {
    const { user, app } = await enrolledUser();
    const plain = await afterPassword(kl, new BrowserLikeClient(), client, user);
    expect(plain.page.text).toContain('<h1>Two-step verification</h1>');
    await postStep(plain, 'totp', { code: await app.nextCode() });
    const claims = await idTokenClaimsAt(plain, client);
    expect(claims.acr).toBe(MFA);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  test('a signed-in session is stepped up to MFA without asking for the password again', async () => {
    // Signed in with the password alone, then an authenticator app added on the account page.
    const user = await createTestUser(kl);
    const { browser } = await signIn(kl, client, user);
    const pages = new AccountPages(kl, browser);
    await pages.open();
    await pages.post('/account/security/totp');
    const app = new TestAuthenticator(secretOnPage(pages.page.text));
    await pages.post('/account/security/totp/confirm', { enrolment: hiddenField(pages.page.text, 'enrolment')!, code: await app.nextCode(), name: 'Phone' });
    const { askedOn, claims } = await stepUpWithCode(kl, browser, client, app, MFA);
    expect(askedOn.text).toContain('<h1>Two-step verification</h1>');
    expect(askedOn.text).not.toContain('name="password"');
    expect(claims.acr).toBe(MFA);
    expect(claims.sub).toBe(user.id);
  });

  test('no step can be skipped: a code posted to an interaction that proved no password is refused', async () => {
    const { app } = await enrolledUser();
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, mfaClient, { code_challenge: challenge, code_challenge_method: 'S256' })));
    const flow = { kl, browser, page: login, uid: uidOf(login.text) };
    const skipped = await postStep(flow, 'totp', { code: await app.nextCode() });
    expect(skipped.status).toBe(400);
    expect(skipped.text).toContain('This sign-in page has expired');
    expect(await kl.store.oidc.find('SignInProgress', flow.uid)).toBeUndefined();
  });

  test('a wrong code is throttled like a password: concurrent guesses past the limit are refused with 429', async () => {
    const { user } = await enrolledUser();
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const csrf = /name="csrf" value="([^"]+)"/.exec(flow.page.text)![1]!;
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, index) => flow.browser.postForm(
      `${kl.url}/interaction/${flow.uid}/totp`, { csrf, code: String(100000 + index) },
    )));
    const statuses = guesses.map((guess) => guess.status);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(kl.config.login.lockAfterFailures);
  });
});

import { decodeJwt } from 'jose';
import { TotpFactors } from '../../src/accounts/factors/totp-factors.ts';
import { ActionLinks } from '../../src/accounts/self-service/action-links.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { SecretCipher } from '../../src/keys/secret-cipher.ts';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  attemptLogin, createTestUser, exchangeCode, openLoginPage, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { TestAuthenticator } from '../support/second-factor-flow.ts';
import { comparable, submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const NEW_PASSWORD = 'a brand new passphrase';

test('config load refuses sign-up without mail, naming the key and the fix', () => {
  expect(() => parseConfig({ registration: { enabled: true } })).toThrow(
    'registration.enabled: sign-up mails a verification link, so it needs mail: set mail.smtp (KEYLINE_SMTP_URL), or turn registration.enabled off',
  );
});

test('without SMTP the login page has no "Forgot password?" and the self-service pages do not exist', async () => {
  const kl = await startKeyline();
  try {
    const client = await registerTestClient(kl);
    const { page } = await openLoginPage(kl, client);
    expect(page.text).not.toContain('/password/forgot');
    expect(page.text).not.toContain('/sign-up');
    expect((await fetch(`${kl.url}/password/forgot`)).status).toBe(404);
    expect((await fetch(`${kl.url}/sign-up`)).status).toBe(404);
  } finally {
    await kl.stop();
  }
});

describe.each(backends)('self-service with mail on $name', (backend) => {
  const smtp = useSmtpServer();
  const { mail } = smtp;
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { mail, registration: { enabled: true }, jobs: { retryBase: 0.3, retryMax: 1, pollInterval: 0.2 } },
  }, async (ready) => {
    ({ kl, client } = ready);
  });

  /** Signs in with a refresh token, asking (with the claims parameter) for the email claims in the id_token itself. */
  async function offlineTokens(user: TestUser): Promise<{ refreshToken: string; idToken: string; accessToken: string }> {
    const claims = JSON.stringify({ id_token: { email: null, email_verified: { essential: true } } });
    const signedIn = await signIn(kl, client, user, { scope: 'openid email offline_access', params: { prompt: 'consent', claims } });
    const tokens = await exchangeCode(kl, client, signedIn);
    expect(tokens.status).toBe(200);
    return { refreshToken: String(tokens.body.refresh_token), idToken: String(tokens.body.id_token), accessToken: String(tokens.body.access_token) };
  }

  async function requestReset(email: string) {
    return submitSelfServiceForm(kl, '/password/forgot', { email });
  }

  test('the login page offers "Forgot password?" and "Create account"', async () => {
    const { page } = await openLoginPage(kl, client);
    expect(page.text).toMatch(/href="\/password\/forgot\?return=\/interaction\/[\w-]+"/);
    expect(page.text).toMatch(/href="\/sign-up\?return=\/interaction\/[\w-]+"/);
  });

  test('sign up → the mail arrives → its link confirms the address → email_verified is true in a fresh id_token', async () => {
    const email = `new-${Date.now()}@example.test`;
    const user: TestUser = { id: '', email, password: 'my own long password' };
    const { answer } = await submitSelfServiceForm(kl, '/sign-up', { email, name: 'New Person', password: user.password });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Check your inbox');
    const mail = await smtp.server().nextMailTo(email);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.html).toContain(mail.link!);
    expect(mail.link).toMatch(new RegExp(`^${kl.url}/email/verify\\?token=[\\w-]{43}$`));

    // Until the address is confirmed the account cannot sign in (registration.allowUnverifiedLogin is off).
    const refused = await attemptLogin(kl, client, email, user.password);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Confirm your email address first');

    // An unverified sign-up is confirmed with its password (see test/security/sign-up-pre-hijacking.test.ts).
    const { page, answer: confirmed } = await submitSelfServiceForm(kl, new URL(mail.link!).pathname + new URL(mail.link!).search, { password: user.password });
    expect(page.text).toContain(email);
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Email address confirmed');

    const { idToken, accessToken } = await offlineTokens(user);
    expect(decodeJwt(idToken)).toMatchObject({ email, email_verified: true });
    const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).json();
    expect(userinfo).toMatchObject({ email, email_verified: true });
    const events = (await kl.store.audit.query({ email, limit: 100 })).map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['account.signed_up', 'account.verification_sent', 'account.email_verified']));

    // The link was used: following it again is refused.
    expect((await new BrowserLikeClient().get(mail.link!)).status).toBe(410);
  });

  test('signing up with an address that has an account answers the same and mails its owner instead', async () => {
    const owner = await createTestUser(kl);
    const fresh = `fresh-${Date.now()}@example.test`;
    const existing = await submitSelfServiceForm(kl, '/sign-up', { email: owner.email, name: 'Someone', password: 'another long password' });
    const other = await submitSelfServiceForm(kl, '/sign-up', { email: fresh, name: 'Someone', password: 'another long password' });
    expect(existing.answer.status).toBe(other.answer.status);
    expect(comparable(existing.answer.text).replace(owner.email, 'EMAIL')).toBe(comparable(other.answer.text).replace(fresh, 'EMAIL'));
    const mail = await smtp.server().nextMailTo(owner.email);
    expect(mail.subject).toBe('You already have an account');
    expect(mail.link).toBe(`${kl.url}/password/forgot`);
    // The owner's password is unchanged.
    expect((await attemptLogin(kl, client, owner.email, owner.password)).status).toBe(303);
  });

  test('sign-up checks the password policy and the address, and stores nothing then', async () => {
    const email = `weak-${Date.now()}@example.test`;
    const { answer } = await submitSelfServiceForm(kl, '/sign-up', { email, name: '', password: 'short' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('The password is too short');
    expect(await kl.store.accounts.findByEmail(email)).toBeUndefined();
  });

  test('forgot password → the mail → a new password: the old one fails, the new one works, an old refresh token is refused', async () => {
    const user = await createTestUser(kl);
    const { refreshToken } = await offlineTokens(user);
    const { answer } = await requestReset(user.email);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Check your inbox');
    const mail = await smtp.server().nextMailTo(user.email);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.link).toMatch(new RegExp(`^${kl.url}/password/reset\\?token=[\\w-]{43}$`));

    const resetPage = new URL(mail.link!);
    const { answer: done } = await submitSelfServiceForm(kl, resetPage.pathname + resetPage.search, { password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your password was changed');

    expect((await attemptLogin(kl, client, user.email, user.password)).status).toBe(401);
    expect((await attemptLogin(kl, client, user.email, NEW_PASSWORD)).status).toBe(303);
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect((await smtp.server().nextMailTo(user.email)).subject).toBe('Your password was changed');
    const events = (await kl.store.audit.query({ email: user.email, limit: 100 })).map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['password.reset_requested', 'password.reset']));

    // Used once: the same link is refused now.
    const again = await new BrowserLikeClient().get(mail.link!);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link does not work');
  });

  test('an expired or unknown reset link is refused, and a weak new password is refused without using the link', async () => {
    const user = await createTestUser(kl);
    const account = (await kl.store.accounts.findByEmail(user.email))!;
    const expired = await new ActionLinks(kl.store).issue('reset-password', account, 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await new BrowserLikeClient().get(`${kl.url}/password/reset?token=${expired}`)).status).toBe(410);
    expect((await new BrowserLikeClient().get(`${kl.url}/password/reset?token=${'x'.repeat(43)}`)).status).toBe(410);

    const live = await new ActionLinks(kl.store).issue('reset-password', account, 600);
    const { answer: weak, browser } = await submitSelfServiceForm(kl, `/password/reset?token=${live}`, { password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('too common');
    const { answer: done } = await submitSelfServiceForm(kl, `/password/reset?token=${live}`, { password: NEW_PASSWORD }, browser);
    expect(done.status).toBe(200);
  });

  test('an unknown address gets the same page and status as a known one, and no mail', async () => {
    const user = await createTestUser(kl);
    const unknown = `nobody-${Date.now()}@example.test`;
    const known = await requestReset(user.email);
    const stranger = await requestReset(unknown);
    expect(stranger.answer.status).toBe(known.answer.status);
    expect(comparable(stranger.answer.text).replace(unknown, 'EMAIL')).toBe(comparable(known.answer.text).replace(user.email, 'EMAIL'));
    await smtp.server().nextMailTo(user.email);
    const jobs = await kl.store.jobs.list({ limit: 1000 });
    expect(jobs.filter((job) => job.kind === 'mail' && job.payload.to === unknown)).toEqual([]);
    expect(smtp.server().received.filter((mail) => mail.to.includes(unknown))).toEqual([]);
  });

  test('the mail job keeps its link sealed: the store never holds it in plaintext', async () => {
    const user = await createTestUser(kl);
    await requestReset(user.email);
    const mail = await smtp.server().nextMailTo(user.email);
    const token = new URL(mail.link!).searchParams.get('token')!;
    const jobs = await kl.store.jobs.list({ limit: 1000 });
    const job = jobs.find((candidate) => candidate.kind === 'mail' && candidate.payload.to === user.email)!;
    expect(JSON.stringify(job.payload)).not.toContain(token);
    expect(String(job.payload.sealedLink)).toMatch(/^kl1\./);
  });

  test('with a second factor the reset asks for a code (or a recovery code) before it accepts the new password', async () => {
    const user = await createTestUser(kl);
    const totp = new TotpFactors(kl.store, new SecretCipher([TEST_SECRETS_KEY]));
    const enrolment = await totp.startEnrolment(user.id, user.email, 'Keyline');
    const app = new TestAuthenticator(enrolment.secret);
    expect(await totp.confirmEnrolment(user.id, enrolment.id, await app.nextCode(), 'Phone')).toBeDefined();

    await requestReset(user.email);
    const link = new URL((await smtp.server().nextMailTo(user.email)).link!);
    const path = link.pathname + link.search;
    const { page } = await submitSelfServiceForm(kl, path, { password: NEW_PASSWORD });
    expect(page.text).toContain('two-step verification');
    const browser = new BrowserLikeClient();
    const missing = await submitSelfServiceForm(kl, path, { password: NEW_PASSWORD }, browser);
    expect(missing.answer.status).toBe(400);
    const wrong = await submitSelfServiceForm(kl, path, { password: NEW_PASSWORD, code: app.futureCode() }, browser);
    expect(wrong.answer.status).toBe(401);
    expect((await attemptLogin(kl, client, user.email, user.password)).status).not.toBe(401);
    const right = await submitSelfServiceForm(kl, path, { password: NEW_PASSWORD, code: await app.nextCode() }, browser);
    expect(right.answer.status).toBe(200);
    expect(right.answer.text).toContain('Your password was changed');
  });

  test('a form posted without its CSRF token is refused', async () => {
    const answer = await new BrowserLikeClient().postForm(`${kl.url}/password/forgot`, { email: 'a@example.test' });
    expect(answer.status).toBe(403);
  });

  test('SMTP down: the answer is still neutral, nothing is half-written, the failure is logged without the link, and the mail goes out once SMTP is back', async () => {
    const user = await createTestUser(kl);
    smtp.server().setDown(true);
    try {
      const { answer } = await requestReset(user.email);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('Check your inbox');
      await waitFor(() => kl.logs.some((line) => line.includes('"event":"job.failed"') && line.includes('"kind":"mail"')));
      expect((await attemptLogin(kl, client, user.email, user.password)).status).toBe(303);
    } finally {
      smtp.server().setDown(false);
    }
    const mail = await smtp.server().nextMailTo(user.email);
    const token = new URL(mail.link!).searchParams.get('token')!;
    const failures = kl.logs.filter((line) => line.includes('"kind":"mail"') && line.includes('job.failed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(kl.logs.join('\n')).not.toContain(token);
    expect(failures.join('\n')).not.toContain('Choose a new password');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

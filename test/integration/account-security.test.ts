import { integrationBackends, sqliteBackend } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { startOnBackend, useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { postStep, recoveryCodesOnPage, secretOnPage, TestAuthenticator, uidOf, type SecondFactorFlow } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

function factorIds(html: string): string[] {
  return [...html.matchAll(/action="\/account\/security\/factors\/([\w-]+)\/remove"/g)].map((match) => match[1]!);
}

describe.each(backends)('the account security page on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  const signedInWithApp = () => userWithAuthenticatorApp(kl);

  test('signed out, it sends the browser through the sign-in page of "Keyline account" and back', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    const login = await pages.open();
    expect(login.status).toBe(200);
    expect(login.text).toContain('to continue to Keyline account');
    const page = await pages.signIn(user);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Sign-in methods</h1>');
    expect(page.text).toContain(user.email);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).not.toContain('wants to use your');
  });

  test('an authenticator app is added with its first code; the next sign-in to the page asks for it', async () => {
    const { user, pages, app } = await signedInWithApp();
    expect(pages.page.status).toBe(200);
    expect(pages.page.text).toContain('Your authenticator app was added.');
    expect(pages.page.text).toContain('Phone');
    const events = (await kl.store.audit.query({ limit: 10_000 })).filter((event) => event.accountId === user.id && event.type === 'mfa.enrolled');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ factorType: 'totp', name: 'Phone', during: 'account' });

    expect((await pages.open()).text).toContain('<h1>Sign-in methods</h1>');
    const elsewhere = new AccountPages(kl);
    await elsewhere.open();
    await elsewhere.signIn(user);
    expect(elsewhere.page.text).toContain('<h1>Two-step verification</h1>');
    expect((await elsewhere.signIn(user, app)).text).toContain('<h1>Sign-in methods</h1>');
  });

  test('a wrong first code shows the same secret again and adds nothing', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open();
    await pages.signIn(user);
    await pages.post('/account/security/totp');
    const secret = secretOnPage(pages.page.text);
    const wrong = await pages.post('/account/security/totp/confirm', { enrolment: hiddenField(pages.page.text, 'enrolment')!, code: new TestAuthenticator(secret).futureCode() });
    expect(wrong.status).toBe(401);
    expect(secretOnPage(wrong.text)).toBe(secret);
    expect(await kl.store.factors.listByAccount(user.id)).toEqual([]);
  });

  test('recovery codes are made on demand, shown once, and replace the old ones', async () => {
    const { user, pages, app } = await signedInWithApp();
    await pages.open();
    await pages.signIn(user, app);
    const first = recoveryCodesOnPage((await pages.post('/account/security/recovery-codes')).text);
    expect(first).toHaveLength(10);
    expect(pages.page.headers.get('cache-control')).toBe('no-store');
    expect((await pages.open()).text).toContain('10 unused recovery codes left.');
    const second = recoveryCodesOnPage((await pages.post('/account/security/recovery-codes')).text);
    expect(second.filter((code) => first.includes(code))).toEqual([]);
    expect(await kl.keyline.accounts.findById(user.id)).toBeTruthy();
    const { RecoveryCodeService } = await import('../../src/accounts/factors/recovery-code-service.ts');
    const codes = new RecoveryCodeService(kl.store);
    expect(await codes.use(user.id, first[0]!)).toBeUndefined();
    expect(await codes.use(user.id, second[0]!)).toBe(9);
  });

  test('a factor is renamed and removed; removing the last turns two-step verification off and its codes go', async () => {
    const { user, pages, app } = await signedInWithApp();
    await pages.open();
    await pages.signIn(user, app);
    await pages.post('/account/security/recovery-codes');
    await pages.open();
    const [id] = factorIds(pages.page.text);
    expect((await pages.post(`/account/security/factors/${id}/rename`, { name: 'Old phone' })).text).toContain('Old phone');
    const removed = await pages.post(`/account/security/factors/${id}/remove`);
    expect(removed.text).toContain('The sign-in method was removed.');
    expect(removed.text).toContain('Recovery codes come with two-step verification');
    expect(await kl.store.factors.listByAccount(user.id)).toEqual([]);
    expect(await kl.store.recoveryCodes.countUnused(user.id)).toBe(0);
    const types = (await kl.store.audit.query({ limit: 10_000 })).filter((event) => event.accountId === user.id).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['mfa.renamed', 'mfa.removed', 'mfa.recovery_codes_regenerated']));
  });

  test('a change without the page\'s token, or to another person\'s factor, changes nothing', async () => {
    const victim = await signedInWithApp();
    const attacker = await signedInWithApp();
    await attacker.pages.open();
    await attacker.pages.signIn(attacker.user, attacker.app);
    const [victimFactor] = await kl.store.factors.listByAccount(victim.user.id);
    const forged = await attacker.pages.browser.postForm(`${kl.url}/account/security/factors/${victimFactor!.id}/remove`, { csrf: 'forged' });
    expect(forged.status).toBe(403);
    await attacker.pages.post(`/account/security/factors/${victimFactor!.id}/remove`);
    await attacker.pages.post(`/account/security/factors/${victimFactor!.id}/rename`, { name: 'pwned' });
    expect(await kl.store.factors.listByAccount(victim.user.id)).toEqual([expect.objectContaining({ id: victimFactor!.id, name: 'Phone' })]);
  });

  test('revoking the person\'s sessions signs the account pages out at once', async () => {
    const { user, pages, app } = await signedInWithApp();
    await pages.open();
    await pages.signIn(user, app);
    expect((await pages.open()).text).toContain('<h1>Sign-in methods</h1>');
    expect((await runCli(kl, ['sessions', 'revoke', user.email, '--yes'])).code).toBe(0);
    const after = await pages.open();
    expect(after.text).toContain('name="password"');
    expect(after.text).not.toContain('Sign-in methods');
  });
});

describe('where everyone must use a second factor (mfa.required)', () => {
  test('the last factor cannot be removed; a second one can, and then the first', async () => {
    const { kl, cleanup } = await startOnBackend(sqliteBackend, { config: { mfa: { required: true } } });
    try {
      const user = await createTestUser(kl);
      const pages = new AccountPages(kl);
      await pages.open();
      const flow: SecondFactorFlow = { kl, browser: pages.browser, page: pages.page, uid: uidOf(pages.page.text) };
      await postStep(flow, 'login', { email: user.email, password: user.password });
      const app = new TestAuthenticator(secretOnPage(flow.page.text));
      await postStep(flow, 'enrol/totp', { code: await app.nextCode() });
      // The app just set up does not count toward this sign-in: a code from it is asked for next.
      expect((await postStep(flow, 'notice')).text).toContain('<h1>Two-step verification</h1>');
      pages.page = await postStep(flow, 'totp', { code: await app.nextCode() });
      expect(pages.page.text).toContain('<h1>Sign-in methods</h1>');
      const [only] = factorIds(pages.page.text);
      const refused = await pages.post(`/account/security/factors/${only}/remove`);
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('This is your last second factor');
      expect(await kl.store.factors.listByAccount(user.id)).toHaveLength(1);

      await pages.post('/account/security/totp');
      const second = new TestAuthenticator(secretOnPage(pages.page.text));
      await pages.post('/account/security/totp/confirm', { enrolment: hiddenField(pages.page.text, 'enrolment')!, code: await second.nextCode(), name: 'Tablet' });
      expect((await pages.post(`/account/security/factors/${only}/remove`)).status).toBe(200);
      expect((await kl.store.factors.listByAccount(user.id)).map((factor) => factor.name)).toEqual(['Tablet']);
    } finally {
      await kl.stop();
      await cleanup();
    }
  });
});

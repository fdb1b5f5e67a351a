/**
 * The account pages' abuse cases, route by route: every change reached signed out, without the
 * page's CSRF token, or with another person's ids changes nothing and never answers 5xx; and one
 * change posted many times at once leaves exactly one outcome (20 concurrent "new recovery codes"
 * leave one set of ten, of which each code works once).
 */
import { integrationBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { recoveryCodesOnPage } from '../support/second-factor-flow.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { RecoveryCodeService } from '../../src/accounts/factors/recovery-code-service.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

/** Every POST route of /account, with a form an attacker would send; `:id`, `:uid` and `:clientId` stand for someone else's. */
const ACCOUNT_CHANGES: ReadonlyArray<{ path: string; form: Record<string, string>; json?: true }> = [
  { path: '/account/profile', form: { name: 'Pwned' } },
  { path: '/account/password', form: { currentPassword: 'x', newPassword: 'attacker-chosen-Passw0rd!' } },
  { path: '/account/sessions/end-others', form: {} },
  { path: '/account/sessions/:uid/end', form: {} },
  { path: '/account/apps/:clientId/remove', form: {} },
  { path: '/account/security/passkeys/options', form: {}, json: true },
  { path: '/account/security/passkeys', form: { id: 'x', rawId: 'x', type: 'public-key' }, json: true },
  { path: '/account/security/totp', form: {} },
  { path: '/account/security/totp/confirm', form: { code: '000000' } },
  { path: '/account/security/factors/:id/rename', form: { name: 'pwned' } },
  { path: '/account/security/factors/:id/remove', form: {} },
  { path: '/account/security/recovery-codes', form: {} },
  { path: '/account/email/verification', form: {} },
  { path: '/account/access/attributes', form: { 'attribute.department': 'Pwned' } },
  { path: '/account/data/download', form: {} },
];

describe.each(backends)('the account routes under attack on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  /** What an attacker could change about the victim, read from the store. */
  async function victimState(accountId: string) {
    const account = await kl.keyline.accounts.findById(accountId);
    const factors = await kl.store.factors.listByAccount(accountId);
    const sessions = await kl.keyline.accounts.listSessions(accountId);
    return { name: account?.name, passwordHash: account?.passwordHash, factors, sessions: sessions.length };
  }

  async function victimWithIds() {
    const victim = await userWithAuthenticatorApp(kl);
    await victim.pages.open();
    await victim.pages.signIn(victim.user, victim.app);
    const [factor] = await kl.store.factors.listByAccount(victim.user.id);
    const sessionUid = /action="\/account\/sessions\/([\w-]+)\/end"/.exec((await victim.pages.open('/account/sessions')).text)?.[1] ?? 'none';
    const withIds = (path: string) => path
      .replace(':id', factor!.id).replace(':uid', sessionUid).replace(':clientId', 'keyline-account');
    return { victim, withIds };
  }

  function send(pages: AccountPages, path: string, form: Record<string, string>, json: boolean | undefined, csrf: string) {
    return json
      ? pages.browser.request(`${kl.url}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csrf, ...form }),
      })
      : pages.browser.postForm(`${kl.url}${path}`, { csrf, ...form });
  }

  test('signed out, every change is refused (a sign-in redirect or 4xx) and the victim is untouched', async () => {
    const { victim, withIds } = await victimWithIds();
    const before = await victimState(victim.user.id);
    const stranger = new AccountPages(kl);
    for (const change of ACCOUNT_CHANGES) {
      const answer = await send(stranger, withIds(change.path), change.form, change.json, 'forged');
      expect({ path: change.path, refused: answer.status === 303 || answer.status === 302 || (answer.status >= 400 && answer.status < 500) })
        .toEqual({ path: change.path, refused: true });
    }
    expect(await victimState(victim.user.id)).toEqual(before);
  });

  test('signed in as someone else, without the page\'s token or with the victim\'s ids, every change leaves the victim untouched', async () => {
    const { victim, withIds } = await victimWithIds();
    const before = await victimState(victim.user.id);
    const attacker = await userWithAuthenticatorApp(kl);
    await attacker.pages.open();
    await attacker.pages.signIn(attacker.user, attacker.app);
    const csrf = hiddenField(attacker.pages.page.text, 'csrf') ?? '';
    for (const change of ACCOUNT_CHANGES) {
      const forged = await send(attacker.pages, withIds(change.path), change.form, change.json, 'forged');
      expect({ path: change.path, status: forged.status }).toEqual({ path: change.path, status: 403 });
      const withToken = await send(attacker.pages, withIds(change.path), change.form, change.json, csrf);
      expect({ path: change.path, serverError: withToken.status >= 500 }).toEqual({ path: change.path, serverError: false });
    }
    expect(await victimState(victim.user.id)).toEqual(before);
  });

  test('20 concurrent "new recovery codes" leave exactly one set of ten, each code usable once', async () => {
    const { user, pages, app } = await userWithAuthenticatorApp(kl);
    await pages.open();
    await pages.signIn(user, app);
    const csrf = hiddenField(pages.page.text, 'csrf') ?? '';
    const answers = await Promise.all(Array.from({ length: 20 }, () => (
      pages.browser.postForm(`${kl.url}/account/security/recovery-codes`, { csrf }))));
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
    const shown = await Promise.all(answers.map(async (answer) => {
      const page = answer.status === 303 ? await pages.browser.followWithin(kl.url, answer) : answer;
      return recoveryCodesOnPage(page.text);
    }));
    const codes = new RecoveryCodeService(kl.store);
    const usable: string[] = [];
    for (const code of new Set(shown.flat())) {
      if ((await codes.use(user.id, code)) !== undefined) usable.push(code);
    }
    expect(usable).toHaveLength(10);
  });

  test('the sign-in round trip never leaves the site: a foreign "next" lands on the account pages, a forged state signs nobody in', async () => {
    // A password-only account: each round trip is a fresh sign-in, and an app's code works once per 30 s.
    const user = await createTestUser(kl);
    for (const next of ['https://evil.example/', '//evil.example/x', '/account/../../evil', 'javascript:alert(1)']) {
      const pages = new AccountPages(kl);
      await pages.open(`/account/sign-in?next=${encodeURIComponent(next)}`);
      const landed = await pages.signIn(user);
      expect({ next, status: landed.status, location: landed.location }).toEqual({ next, status: 200, location: undefined });
      expect(landed.text).toContain('<h1>Sign-in methods</h1>');
    }
    const forged = new AccountPages(kl);
    const callback = await forged.browser.get(`${kl.url}/account/callback?code=stolen&state=guessed`);
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${kl.url}/`);
    expect((await forged.open('/account/security')).text).toContain('name="password"');
  });

  test('"stay signed in" reflects no hostile client_id and answers an unknown one without a 5xx', async () => {
    const hostile = '<script>alert(1)</script>';
    const answer = await new AccountPages(kl).browser.get(`${kl.url}/session/end/stay?client_id=${encodeURIComponent(hostile)}`);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(hostile);
  });
});

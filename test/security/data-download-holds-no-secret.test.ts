import { randomUUID } from 'node:crypto';
import { allBackends } from '../support/backends.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { recoveryCodesOnPage, secretOnPage, TestAuthenticator } from '../support/second-factor-flow.ts';
import { signedIn } from '../support/session-ending-paths.ts';
import { AccountPages } from '../support/account-pages.ts';
import { createTestUser, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { hashRecoveryCode } from '../../src/accounts/factors/recovery-codes.ts';

/**
 * "Download my data" (GDPR art. 15 and 20) hands a person everything Keyline holds about them,
 * and so is the one page that could hand over what must never leave: the password hash, an
 * authenticator app's seed, recovery codes or their hashes, a passkey's public key and credential
 * id, the session id that is the session cookie, tokens, or someone else's data. Each known secret
 * is searched for in the file; a stranger's request (signed out, another site's form) gets nothing.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('"Download my data" on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, (ready) => { ({ kl, client } = ready); });

  /** A person with everything there is: a profile, an app's refresh token, an authenticator app, recovery codes, a passkey. */
  async function personWithEverything(name: string) {
    const user = await createTestUser(kl);
    // Signed in to an app first (offline access: a refresh token), then an authenticator app, recovery codes and a passkey.
    const { refreshToken } = await signedIn(kl, client, user);
    await kl.keyline.accounts.updateProfile(user.email, { name, text: { given_name: name, zoneinfo: 'Europe/Berlin' } });
    const pages = new AccountPages(kl);
    await pages.open('/account/security');
    await pages.signIn(user);
    await pages.post('/account/security/totp');
    const app = new TestAuthenticator(secretOnPage(pages.page.text));
    await pages.post('/account/security/totp/confirm', { enrolment: hiddenField(pages.page.text, 'enrolment')!, code: await app.nextCode(), name: 'Phone' });
    const codes = recoveryCodesOnPage((await pages.post('/account/security/recovery-codes')).text);
    expect(codes).toHaveLength(10);
    const passkey = {
      id: randomUUID(), accountId: user.id, type: 'webauthn' as const, name: `${name}'s laptop`, counter: 0,
      credentialId: `credential-${randomUUID()}`, data: { publicKey: `public-key-${randomUUID()}`, backupEligible: false, aaguid: randomUUID() },
      createdAt: new Date(), lastUsedAt: null,
    };
    await kl.store.factors.add(passkey);
    return { user, pages, app, codes, passkey, refreshToken };
  }

  async function download(pages: AccountPages): Promise<{ status: number; text: string; headers: Headers }> {
    await pages.open('/account/data');
    const csrf = hiddenField(pages.page.text, 'csrf') ?? '';
    return pages.browser.postForm(`${kl.url}/account/data/download`, { csrf });
  }

  test('holds the person\'s data and none of their secrets, and nothing about anyone else', async () => {
    const other = await personWithEverything('Grace');
    const person = await personWithEverything('Ada');
    const answer = await download(person.pages);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="account-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const document = JSON.parse(answer.text) as Record<string, any>;

    // The person's data.
    expect(document.format).toBe('keyline.account-data/1');
    expect(document.account).toMatchObject({ id: person.user.id, email: person.user.email, name: 'Ada', profile: { given_name: 'Ada', zoneinfo: 'Europe/Berlin' } });
    expect(document.sessions.length).toBeGreaterThan(0);
    expect(document.connectedApps.map((app: { clientId: string }) => app.clientId)).toContain(client.clientId);
    expect(document.grants.length).toBeGreaterThan(0);
    expect(document.secondFactors.factors.map((factor: { name: string }) => factor.name).sort()).toEqual(['Ada\'s laptop', 'Phone']);
    expect(document.secondFactors.recoveryCodesUnused).toBe(10);
    expect(document.auditEvents.map((event: { type: string }) => event.type)).toEqual(expect.arrayContaining(['mfa.enrolled']));

    // None of their secrets: each known one, searched for in the whole file.
    const account = (await kl.store.accounts.findById(person.user.id))!;
    const factors = await kl.store.factors.listByAccount(person.user.id);
    const sessions = await kl.store.oidc.listByAccount('Session', person.user.id);
    const secrets: string[] = [
      account.passwordHash, person.user.password, person.app.secret,
      ...factors.flatMap((factor) => Object.values(factor.data).filter((value): value is string => typeof value === 'string' && value.length > 12)),
      person.passkey.credentialId, person.passkey.data.publicKey,
      ...person.codes, ...person.codes.map(hashRecoveryCode),
      // A session's id is its cookie's value. (A grant's id is only a name, which the audit trail's consent events carry.)
      ...sessions.map((session) => session.id),
      person.refreshToken,
    ];
    expect(secrets.length).toBeGreaterThan(25);
    expect(secrets.filter((secret) => answer.text.includes(secret))).toEqual([]);
    expect(answer.text).not.toMatch(/passwordHash|\$argon2/);

    // Nothing about the other person.
    const theirs = [other.user.id, other.user.email, other.passkey.name, ...other.codes];
    expect(theirs.filter((value) => answer.text.includes(value))).toEqual([]);

    // And the download itself is in the audit trail.
    const events = await kl.store.audit.query({ accountId: person.user.id, type: 'account.data_exported', limit: 10 });
    expect(events).toHaveLength(1);
    expect(events[0]!.actor).toBe(`user:${person.user.id}`);
  });

  test('a stranger gets nothing: signed out, from another site\'s form, or by GET', async () => {
    const person = await personWithEverything('Ada');
    const signedOut = await new AccountPages(kl).browser.postForm(`${kl.url}/account/data/download`, { csrf: 'forged' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.text).not.toContain(person.user.email);
    // A form on another site posts with the person's cookie but without the page's token.
    const forged = await person.pages.browser.postForm(`${kl.url}/account/data/download`, { csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain(person.user.id);
    const byGet = await person.pages.browser.get(`${kl.url}/account/data/download`);
    expect(byGet.status).toBeGreaterThanOrEqual(400);
    expect(byGet.status).toBeLessThan(500);
    expect(await kl.store.audit.query({ accountId: person.user.id, type: 'account.data_exported', limit: 10 })).toEqual([]);
  });

  test('20 downloads at once each answer the file, and none fails', async () => {
    const person = await personWithEverything('Ada');
    await person.pages.open('/account/data');
    const csrf = hiddenField(person.pages.page.text, 'csrf') ?? '';
    const answers = await Promise.all(Array.from({ length: 20 }, () => person.pages.browser.postForm(`${kl.url}/account/data/download`, { csrf })));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(new Set(answers.map((answer) => (JSON.parse(answer.text) as { account: { id: string } }).account.id))).toEqual(new Set([person.user.id]));
  });
});

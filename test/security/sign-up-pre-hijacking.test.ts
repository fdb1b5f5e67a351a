import { randomUUID } from 'node:crypto';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { attemptLogin, type TestClient } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 19, item 14: an unverified sign-up never holds an address against its owner. A stranger
 * who signs up with someone else's address (and a password they know) loses everything they set
 * when the owner verifies the address, resets the password or signs up; and no administrator
 * action turns the stranger's unverified account into one that signs in.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const STRANGER = 'the stranger knows this one';
const OWNER = 'the owner chose this one';

describe.each(backends)('sign-up pre-hijacking on $name', (backend) => {
  const smtp = useSmtpServer();
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { mail: smtp.mail, registration: { enabled: true }, jobs: { retryBase: 0.3, retryMax: 1, pollInterval: 0.2 } },
  }, (ready) => { ({ kl, client } = ready); });

  const linkPath = (link: string) => new URL(link).pathname + new URL(link).search;

  /** The stranger signs up with the owner's address, and (as if signed in) sets up a factor and a profile on it. */
  async function strangerSignsUp(): Promise<{ email: string; accountId: string; verifyLink: string }> {
    const email = `owner-${randomUUID()}@example.test`;
    const { answer } = await submitSelfServiceForm(kl, '/sign-up', { email, name: 'Stranger', password: STRANGER });
    expect(answer.status).toBe(200);
    const verifyLink = linkPath((await smtp.server().nextMailTo(email)).link!);
    const account = (await kl.store.accounts.findByEmail(email))!;
    await kl.store.factors.add({
      id: randomUUID(), accountId: account.id, type: 'totp', name: "Stranger's phone", counter: 0, credentialId: null,
      data: { sealedSecret: 'set up by the stranger' }, createdAt: new Date(), lastUsedAt: null,
    });
    await kl.store.accounts.update(account.id, { profile: { website: 'https://stranger.example' } });
    return { email, accountId: account.id, verifyLink };
  }

  async function expectOwnerHasIt(email: string, accountId: string): Promise<void> {
    expect((await attemptLogin(kl, client, email, STRANGER)).status).toBe(401);
    expect((await attemptLogin(kl, client, email, OWNER)).status).toBe(303);
    const account = (await kl.store.accounts.findByEmail(email))!;
    expect(account.emailVerified).toBe(true);
    expect(account.name).toBeNull();
    expect(account.profile).toEqual({});
    expect(await kl.store.factors.listByAccount(accountId)).toEqual([]);
  }

  test("the owner's verification wins: the link's page sets the owner's password and removes what the stranger set", async () => {
    const { email, accountId, verifyLink } = await strangerSignsUp();
    const { page, answer } = await submitSelfServiceForm(kl, verifyLink, { password: OWNER });
    expect(page.text).toContain('name="password"');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Email address confirmed');
    await expectOwnerHasIt(email, accountId);
  });

  test('the person who did sign up confirms with their own password and keeps what they set', async () => {
    const email = `self-${randomUUID()}@example.test`;
    await submitSelfServiceForm(kl, '/sign-up', { email, name: 'Real Person', password: OWNER });
    const { answer } = await submitSelfServiceForm(kl, linkPath((await smtp.server().nextMailTo(email)).link!), { password: OWNER });
    expect(answer.status).toBe(200);
    expect((await kl.store.accounts.findByEmail(email))).toMatchObject({ emailVerified: true, name: 'Real Person' });
    expect((await attemptLogin(kl, client, email, OWNER)).status).toBe(303);
  });

  test("the owner's reset wins: no code from the stranger's factor is asked for, and everything the stranger set goes", async () => {
    const { email, accountId } = await strangerSignsUp();
    await submitSelfServiceForm(kl, '/password/forgot', { email });
    const resetLink = linkPath((await smtp.server().nextMailTo(email)).link!);
    const { page, answer } = await submitSelfServiceForm(kl, resetLink, { password: OWNER });
    expect(page.text).not.toContain('name="code"');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Your password was changed');
    await expectOwnerHasIt(email, accountId);
  });

  test("the owner's later sign-up wins: its mail's link lets the owner's password take the unverified one over", async () => {
    const { email, accountId, verifyLink } = await strangerSignsUp();
    const { answer } = await submitSelfServiceForm(kl, '/sign-up', { email, name: '', password: OWNER });
    expect(answer.status).toBe(200);
    const mail = await smtp.server().nextMailTo(email);
    expect(mail.subject).toBe('Confirm your email address');
    // A sign-up proves nothing until its link is followed: until then it changes nothing (had it
    // replaced the password, anyone could take an unverified account by signing up again).
    expect((await attemptLogin(kl, client, email, OWNER)).status).toBe(401);
    await submitSelfServiceForm(kl, linkPath(mail.link!), { password: OWNER });
    await expectOwnerHasIt(email, accountId);
    // The stranger's own link went to the owner's inbox; it is no use to anyone now.
    expect((await new BrowserLikeClient().get(new URL(verifyLink, kl.url).href)).status).toBe(410);
  });

  test('administrator actions do not let the unverified account sign in', async () => {
    const { email, accountId } = await strangerSignsUp();
    await kl.keyline.accounts.signOutEverywhere(accountId);
    expect((await attemptLogin(kl, client, email, STRANGER)).status).toBe(403);
    await kl.keyline.accounts.resetSecondFactors(email);
    expect((await attemptLogin(kl, client, email, STRANGER)).status).toBe(403);
    await kl.keyline.accounts.setPassword(email, 'an administrator set this', 'admin');
    expect((await attemptLogin(kl, client, email, 'an administrator set this')).status).toBe(403);
  });
});

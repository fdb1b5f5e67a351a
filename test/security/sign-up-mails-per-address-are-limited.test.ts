import { randomUUID } from 'node:crypto';
import { SIGN_UP_MAILS_PER_ADDRESS } from '../../src/accounts/self-service/sign-up.ts';
import { MAIL_JOB } from '../../src/mail/mail-job.ts';
import { AccountPages } from '../support/account-pages.ts';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Review of issue 19, item 14: a sign-up for an address that has an account answers as for a new
 * one and mails the address (a new verification link for an unverified sign-up, "you already have
 * an account" otherwise). Only the IP was limited, so anyone with a few addresses could fill a
 * stranger's inbox with Keyline's mail, as "Forgot password?" (limited per address) cannot. Mail
 * caused by sign-ups is limited per address too; the answer stays the same. So are verification
 * links sent again from the account page, which any signed-in unverified account could press without
 * end (with `registration.allowUnverifiedLogin`, a stranger's sign-up on someone else's address).
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const ATTEMPTS = SIGN_UP_MAILS_PER_ADDRESS + 7;

describe.each(backends)('sign-up mail to one address on $name', (backend) => {
  const smtp = useSmtpServer();
  let kl: RunningKeyline;
  useKeyline(backend, {
    config: { proxy: true, mail: smtp.mail, registration: { enabled: true }, jobs: { pollInterval: 60 } },
  }, (ready) => { ({ kl } = ready); });

  async function signUpFrom(ip: string, email: string): Promise<number> {
    const browser = new BrowserLikeClient();
    const headers = { 'x-forwarded-for': ip };
    const page = await browser.get(`${kl.url}/sign-up`, headers);
    const answer = await browser.postForm(`${kl.url}/sign-up`, {
      csrf: hiddenField(page.text, 'csrf') ?? '', email, name: 'Anyone', password: 'a passphrase nobody guesses',
    }, headers);
    return answer.status;
  }

  async function mailsTo(email: string): Promise<number> {
    return (await kl.store.jobs.list({ limit: 10_000 })).filter((job) => job.kind === MAIL_JOB && job.payload.to === email).length;
  }

  test.each([
    ['an account', async () => (await createTestUser(kl)).email],
    ['an unverified sign-up', async () => {
      const email = `pending-${randomUUID()}@example.test`;
      expect(await signUpFrom('203.0.113.1', email)).toBe(200);
      return email;
    }],
  ])('many sign-ups from many IPs for %s mail it only a few times, and all get the same answer', async (_, existing) => {
    const email = await existing();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) statuses.push(await signUpFrom(`198.51.100.${attempt + 10}`, email));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await mailsTo(email)).toBeLessThanOrEqual(SIGN_UP_MAILS_PER_ADDRESS);
  });

  test('"send the link again" on the account page, pressed many times, mails the address only a few times', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    for (let press = 0; press < ATTEMPTS; press += 1) {
      const page = await pages.post('/account/email/verification');
      expect(page.status).toBe(200);
    }
    expect(await mailsTo(user.email)).toBeLessThanOrEqual(SIGN_UP_MAILS_PER_ADDRESS);
  });
});

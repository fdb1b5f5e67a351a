import { RESET_REQUESTS_PER_ADDRESS } from '../../src/accounts/self-service/password-reset.ts';
import { MAIL_JOB } from '../../src/mail/mail-job.ts';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * "Forgot password?" mails one address at most RESET_REQUESTS_PER_ADDRESS times an hour, so no
 * one can flood an inbox with it. The admin API's reset-link operation (open to the help desk and
 * to every help-desk automation's token) mailed the same link with no limit at all: a loop, or a
 * leaked help-desk token, could bury a person's inbox (and the SMTP relay's reputation) in reset
 * mails. It now counts against the same per-address allowance and answers 429 with Retry-After.
 */
describe.each(backends)('reset links sent through the admin API on $name', (backend) => {
  const smtp = useSmtpServer();
  let kl: RunningKeyline;
  let helpdesk: AdminSession;
  useKeyline(backend, { config: { mail: smtp.mail } }, async (ready) => {
    ({ kl } = ready);
    helpdesk = await AdminSession.open(kl, 'keyline:helpdesk');
  });

  test('share the address\'s hourly allowance: once used up, 429 with Retry-After and no more mail', async () => {
    const user = await createTestUser(kl);
    const statuses: number[] = [];
    for (let sent = 0; sent <= RESET_REQUESTS_PER_ADDRESS; sent += 1) {
      statuses.push((await helpdesk.call('POST', `/users/${user.id}/password-reset`)).status);
    }
    expect(statuses).toEqual([...Array.from({ length: RESET_REQUESTS_PER_ADDRESS }, () => 204), 429]);
    const refused = await helpdesk.call('POST', `/users/${user.id}/password-reset`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/reset/);
    const mails = (await kl.store.jobs.list({ limit: 1000 })).filter((job) => job.kind === MAIL_JOB && job.payload.to === user.email);
    expect(mails).toHaveLength(RESET_REQUESTS_PER_ADDRESS);
  });

  test('concurrent calls together get no more than the allowance', async () => {
    const user = await createTestUser(kl);
    const answers = await Promise.all(Array.from({ length: 20 }, () => helpdesk.call('POST', `/users/${user.id}/password-reset`)));
    expect(answers.filter((answer) => answer.status === 204)).toHaveLength(RESET_REQUESTS_PER_ADDRESS);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(20 - RESET_REQUESTS_PER_ADDRESS);
  });
});

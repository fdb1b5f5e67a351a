import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { afterPassword, postStep } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Review of issue 19, items 1 and 21: one-time codes went through the throttle on the same counters
 * as the password (the account's email), and a right password resets those counters. So someone
 * who knows the password signed in again after every few wrong codes and guessed the code without
 * limit: a password alone defeated the authenticator app by brute force. Wrong second-factor codes
 * are counted apart from passwords; a right password gives none of them back.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const LOCK_AFTER = 3;

describe.each(backends)('wrong codes after a right password on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let client: TestClient;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, {
      config: { login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: 100, maxBackoff: 60, ipMaxFailures: 1000 } },
    }));
    client = await registerTestClient(kl);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('signing in again with the password does not buy more guesses at the code', async () => {
    const { user, app } = await userWithAuthenticatorApp(kl);
    const statuses: number[] = [];
    // Fewer wrong codes per round than the lock allows, then the password again (which never fails).
    for (let round = 0; round < 4; round += 1) {
      const flow = await afterPassword(kl, new BrowserLikeClient(), client, user);
      expect(flow.page.text).toContain('<h1>Two-step verification</h1>');
      for (let guess = 0; guess < LOCK_AFTER - 1; guess += 1) {
        statuses.push((await postStep(flow, 'totp', { code: app.futureCode() })).status);
      }
    }
    // Only LOCK_AFTER codes are ever checked from this IP; the rest are refused unchecked.
    expect(statuses.filter((status) => status === 401)).toHaveLength(LOCK_AFTER);
    expect(statuses.filter((status) => status === 429)).toHaveLength(statuses.length - LOCK_AFTER);
  });

  test('thirty wrong codes at once on one interaction get at most the lock\'s number of checks', async () => {
    const { user, app } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user);
    const csrf = hiddenField(flow.page.text, 'csrf')!;
    const answers = await Promise.all(Array.from({ length: 30 }, () => flow.browser.postForm(
      `${kl.url}/interaction/${flow.uid}/totp`, { csrf, code: app.futureCode() },
    )));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(LOCK_AFTER);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  });

  test('the right code still finishes the sign-in, and wrong passwords still count as before', async () => {
    const { user, app } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user);
    expect((await postStep(flow, 'totp', { code: app.futureCode() })).status).toBe(401);
    const done = await postStep(flow, 'totp', { code: await app.nextCode() });
    expect(done.status === 303 || done.status === 200).toBe(true);
    expect(done.text).not.toContain('<h1>Two-step verification</h1>');
  });
});

/**
 * The device flow's guarantees, fired the way they break: many concurrent requests over HTTP, on
 * each backend with one node and through three Keyline processes on one store.
 */
import { withMongoDatabase } from '../../src/store/mongo/mongo-connection.ts';
import { serverFlavor } from '../../src/store/mongo/mongo-server-flavor.ts';
import { statuses } from '../support/answer-statuses.ts';
import { integrationBackends, sqliteBackend, threeNodes, type Backend } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  approveDevice, enterUserCode, pollForTokens, registerDeviceClient, startDeviceAuthorization, visibleText,
} from '../support/device-flow.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { mongoTestUrl, stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, introspect, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const RACERS = 100;
const GUESSES = 30;
const USER_CODE_ATTEMPTS = 5;

const [sqlite, mongo, mongoThreeNodes] = await integrationBackends() as [Backend, Backend, Backend];
const onRealMongo = (await withMongoDatabase(await mongoTestUrl(), serverFlavor)).name === 'MongoDB';
afterAll(stopMongoTestServer);

/** Speaks for a browser at this IP (Keyline trusts X-Forwarded-For here, as behind a proxy). */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function describeDeviceGuarantees(backend: Backend): void {
  describe(`the device flow under concurrent requests on ${backend.name}`, () => {
    let kl: RunningKeyline;
    let cleanup: () => Promise<void>;
    let tv: TestClient;
    let user: TestUser;

    beforeAll(async () => {
      ({ kl, cleanup } = await startOnBackend(backend, {
        config: { proxy: true, device: { userCodeAttempts: USER_CODE_ATTEMPTS } },
      }));
      tv = await registerDeviceClient(kl);
      user = await createTestUser(kl);
    });
    afterAll(async () => {
      await kl.stop();
      await cleanup();
    });

    test(`one approved device code redeemed at once by ${RACERS}: exactly one gets tokens, and the reuse revokes them`, async () => {
      const device = await startDeviceAuthorization(kl, tv, 'openid offline_access');
      expect((await approveDevice(kl, device.user_code, user)).status).toBe(200);

      const answers = await Promise.all(Array.from({ length: RACERS }, () => pollForTokens(kl, tv, device.device_code)));

      expect(statuses(answers)).toEqual({ 200: 1, 400: RACERS - 1 });
      expect(answers.filter((answer) => answer.status === 400).every((answer) => answer.body.error === 'invalid_grant')).toBe(true);
      const winner = answers.find((answer) => answer.status === 200)!.body;
      expect((await introspect(kl, tv, String(winner.access_token))).active).toBe(false);
    });

    test('one user code confirmed at once in many browsers: exactly one goes on to sign in, the others are told it is used', async () => {
      const device = await startDeviceAuthorization(kl, tv);
      // Each browser from an address of its own, so the race is the confirmation's, not the guessing limit's.
      const browsers = Array.from({ length: 20 }, (_, index) => ({ browser: new BrowserLikeClient(), at: from(`192.0.2.${index + 1}`) }));
      const confirmPages = await Promise.all(browsers.map(({ browser, at }) => enterUserCode(kl, browser, device.user_code, at)));
      expect(statuses(confirmPages)).toEqual({ 200: 20 });

      const answers = await Promise.all(browsers.map(({ browser, at }, index) => browser.postForm(`${kl.url}/device`, {
        xsrf: hiddenField(confirmPages[index]!.text, 'xsrf')!, user_code: device.user_code, confirm: 'yes',
      }, at)));

      const onToSignIn = answers.filter((answer) => answer.status >= 300 && answer.status < 400 && /\/interaction\//.test(answer.location ?? ''));
      expect(onToSignIn).toHaveLength(1);
      const refused = answers.filter((answer) => answer.status === 400);
      expect(refused).toHaveLength(19);
      expect(refused.every((answer) => visibleText(answer.text).includes('This code has already been used.'))).toBe(true);
    });

    test(`${GUESSES} wrong user codes at once from one IP get at most ${USER_CODE_ATTEMPTS} look-ups; then even the right code waits, and other IPs are not affected`, async () => {
      const attacker = from('198.51.100.23');
      const browsers = Array.from({ length: GUESSES }, () => new BrowserLikeClient());
      const pages = await Promise.all(browsers.map((browser) => browser.get(`${kl.url}/device`, attacker)));
      const answers = await Promise.all(browsers.map((browser, index) => browser.postForm(`${kl.url}/device`, {
        xsrf: hiddenField(pages[index]!.text, 'xsrf')!, user_code: `ZZZZ-ZZ${'BCDFGHJKLMNPQRSTVWXZ'[index % 20]}${'BCDFGHJKLMNPQRSTVWXZ'[Math.floor(index / 20)]}`,
      }, attacker)));

      const counted = statuses(answers);
      // A 400 is a code that was looked up and not found; a 429 was refused before any look-up.
      expect(counted[400]).toBeGreaterThanOrEqual(1);
      expect(counted[400]).toBeLessThanOrEqual(USER_CODE_ATTEMPTS);
      expect(counted[400]! + counted[429]!).toBe(GUESSES);
      const throttled = answers.find((answer) => answer.status === 429)!;
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(visibleText(throttled.text)).toContain('Too many wrong codes.');

      const device = await startDeviceAuthorization(kl, tv);
      expect((await enterUserCode(kl, new BrowserLikeClient(), device.user_code, attacker)).status).toBe(429);
      const elsewhere = await enterUserCode(kl, new BrowserLikeClient(), device.user_code, from('203.0.113.9'));
      expect(elsewhere.status).toBe(200);
      expect(visibleText(elsewhere.text)).toContain(device.user_code);
    });

    test('right codes give their attempt back, so people behind one address who type correctly are never throttled', async () => {
      const office = from('192.0.2.177');
      for (let person = 0; person < USER_CODE_ATTEMPTS + 3; person += 1) {
        const device = await startDeviceAuthorization(kl, tv);
        expect((await enterUserCode(kl, new BrowserLikeClient(), device.user_code, office)).status).toBe(200);
      }
    });

    if (backend.nodes) {
      test('the requests were spread over every node', () => {
        expect((kl as { requestsPerNode?: () => number[] }).requestsPerNode!().every((count) => count > 0)).toBe(true);
      });
    }
  });
}

describeDeviceGuarantees(sqlite);
describeDeviceGuarantees(mongo);
describeDeviceGuarantees(threeNodes(sqliteBackend));
if (onRealMongo) {
  describeDeviceGuarantees(mongoThreeNodes);
} else {
  // As in exactly-once.test.ts: FerretDB v1 does not isolate conditional updates across connections.
  describe.skip(`${mongoThreeNodes.name}: runs only against a real MongoDB (set MONGODB_URI)`, () => {
    test('the device flow\'s guarantees across three processes on MongoDB', () => undefined);
  });
}

import { setTimeout as sleep } from 'node:timers/promises';
import { integrationBackends, sqliteBackend, type Backend } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  approveDevice, cancelUserCode, confirmUserCode, enterUserCode, pollForTokens, registerDeviceClient, signInForDevice,
  startDeviceAuthorization, visibleText,
} from '../support/device-flow.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, introspect, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = await integrationBackends();
afterAll(stopMongoTestServer);

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

/** The action of the interaction form that ends in /login, /confirm or /abort. */
function formAction(html: string, step: string): string {
  const action = new RegExp(`action="([^"]+/${step})"`).exec(html)?.[1];
  if (!action) throw new Error(`no ${step} form in: ${html.slice(0, 300)}`);
  return action;
}

/** What a person might type for BCDF-GHJK: lower case, a space instead of the dash. */
function typedSloppily(userCode: string): string {
  return ` ${userCode.toLowerCase().replace('-', ' ')} `;
}

describe.each(backends)('the device authorization grant (RFC 8628) on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let tv: TestClient;
  let user: TestUser;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend));
    tv = await registerDeviceClient(kl);
    user = await createTestUser(kl);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('device authorization, the user-code page, sign-in, consent, then tokens for the device', async () => {
    const device = await startDeviceAuthorization(kl, tv, 'openid profile email offline_access');
    expect(device.user_code).toMatch(USER_CODE);
    expect(device).toMatchObject({ verification_uri: `${kl.url}/device`, expires_in: 600, interval: 5 });
    expect(device.verification_uri_complete).toBe(`${kl.url}/device?user_code=${device.user_code}`);
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('authorization_pending');

    const browser = new BrowserLikeClient();
    const confirmPage = await enterUserCode(kl, browser, typedSloppily(device.user_code));
    expect(confirmPage.status).toBe(200);
    expect(visibleText(confirmPage.text)).toContain('Connect Living-room TV to your Keyline account?');
    expect(visibleText(confirmPage.text)).toContain(device.user_code);

    const { pages, last } = await signInForDevice(kl, browser, await confirmUserCode(kl, browser, confirmPage), user);
    expect(pages.map((page) => /<h1[^>]*>([^<]+)</.exec(page)?.[1])).toEqual(['Sign in', 'Living-room TV wants to use your Keyline account']);
    expect(last.status).toBe(200);
    expect(visibleText(last.text)).toContain('Your device is connected');
    expect(visibleText(last.text)).toContain('Living-room TV is now signed in to your Keyline account. You can return to your device.');

    const tokens = await pollForTokens(kl, tv, device.device_code);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email offline_access' });
    expect(tokens.body.id_token).toBeTruthy();
    expect(tokens.body.refresh_token).toBeTruthy();
    expect((await introspect(kl, tv, String(tokens.body.access_token))).sub).toBe(user.id);

    // The code is single-use, in both directions; a second redemption also revokes what the first got.
    const again = await enterUserCode(kl, new BrowserLikeClient(), device.user_code);
    expect(again.status).toBe(400);
    expect(visibleText(again.text)).toContain('This code has already been used.');
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('invalid_grant');
    expect((await introspect(kl, tv, String(tokens.body.access_token))).active).toBe(false);

    // Neither code reaches the logs.
    const logs = kl.logs.join('');
    expect(logs).not.toContain(device.device_code);
    expect(logs).not.toContain(device.user_code);
    expect(logs).not.toContain(device.user_code.replace('-', ''));
  });

  test('a public client (no secret) uses the device flow too', async () => {
    const cli = await registerDeviceClient(kl, { isPublic: true, name: 'Keyline CLI' });
    const device = await startDeviceAuthorization(kl, cli);
    expect((await approveDevice(kl, device.user_code, user)).status).toBe(200);
    expect((await pollForTokens(kl, cli, device.device_code)).status).toBe(200);
  });

  test('a device that polls faster than the interval gets slow_down while the code is pending', async () => {
    const device = await startDeviceAuthorization(kl, tv);
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('authorization_pending');
    const tooSoon = await pollForTokens(kl, tv, device.device_code);
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.body.error).toBe('slow_down');
  });

  test('the verification_uri_complete link shows the code to confirm; nothing is connected until the person confirms', async () => {
    const device = await startDeviceAuthorization(kl, tv);
    const browser = new BrowserLikeClient();
    const linked = await browser.get(device.verification_uri_complete);
    expect(linked.status).toBe(200);
    expect(visibleText(linked.text)).toContain('Check that your device shows this code:');
    expect(visibleText(linked.text)).toContain(device.user_code);
    expect(linked.text).not.toMatch(/<script>/);
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('authorization_pending');

    const { last } = await signInForDevice(kl, browser, await confirmUserCode(kl, browser, linked), user);
    expect(visibleText(last.text)).toContain('Your device is connected');
    expect((await pollForTokens(kl, tv, device.device_code)).status).toBe(200);
  });

  test('"Cancel" on the confirm page tells the device access_denied', async () => {
    const device = await startDeviceAuthorization(kl, tv);
    const browser = new BrowserLikeClient();
    const cancelled = await cancelUserCode(kl, browser, await enterUserCode(kl, browser, device.user_code));
    expect(cancelled.status).toBe(200);
    expect(visibleText(cancelled.text)).toContain('Device not connected');
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('access_denied');
  });

  test('denying consent tells the device access_denied', async () => {
    const device = await startDeviceAuthorization(kl, tv, 'openid email');
    const browser = new BrowserLikeClient();
    const fresh = await createTestUser(kl);
    const login = await confirmUserCode(kl, browser, await enterUserCode(kl, browser, device.user_code));
    const consent = await browser.followWithin(kl.url, await browser.postForm(new URL(formAction(login.text, 'login'), kl.url).href, {
      email: fresh.email, password: fresh.password, csrf: hiddenField(login.text, 'csrf')!,
    }));
    expect(visibleText(consent.text)).toContain('Living-room TV wants to use your Keyline account');
    const denied = await browser.followWithin(kl.url, await browser.postForm(new URL(formAction(consent.text, 'abort'), kl.url).href, {
      csrf: hiddenField(consent.text, 'csrf')!,
    }));
    expect(denied.status).toBe(200);
    expect(visibleText(denied.text)).toContain('You cancelled, so Living-room TV was not connected to your account.');
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('access_denied');
  });

  test('a wrong code gets the page again, saying so in the browser\'s language, with the code kept to fix', async () => {
    const wrong = await enterUserCode(kl, new BrowserLikeClient(), 'ZZZZ-ZZZB');
    expect(wrong.status).toBe(400);
    expect(visibleText(wrong.text)).toContain('That code isn\'t right. Check the code on your device and try again.');
    expect(wrong.text).toContain('value="ZZZZ-ZZZB"');
    const german = await enterUserCode(kl, new BrowserLikeClient(), 'ZZZZ-ZZZB', { 'accept-language': 'de' });
    expect(visibleText(german.text)).toContain('Dieser Code stimmt nicht.');
    expect(german.text).toContain('<html lang="de"');
    const empty = await enterUserCode(kl, new BrowserLikeClient(), '');
    expect(empty.status).toBe(400);
    expect(visibleText(empty.text)).toContain('Enter the code your device shows.');
  });

  test('a form posted without the page\'s token is refused with the page again, never an error', async () => {
    const browser = new BrowserLikeClient();
    const page = await browser.get(`${kl.url}/device`);
    const forged = await browser.postForm(`${kl.url}/device`, { xsrf: 'not the token', user_code: 'BCDF-GHJK' });
    expect(forged.status).toBe(403);
    expect(visibleText(forged.text)).toContain('This page was open too long. Enter the code again.');
    expect(hiddenField(forged.text, 'xsrf')).not.toBe(hiddenField(page.text, 'xsrf'));
  });

  test('odd requests to the device pages get a 4xx page, never a 500', async () => {
    const browser = new BrowserLikeClient();
    const unknownResume = await browser.get(`${kl.url}/device/no-such-interaction`);
    expect(unknownResume.status).toBe(400);
    expect(visibleText(unknownResume.text)).toContain('This sign-in page has expired');
    const twice = await browser.request(`${kl.url}/device`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user_code=BCDF-GHJK&user_code=BCDF-GHJL',
    });
    expect(twice.status).toBe(400);
    const scripted = await browser.get(`${kl.url}/device?user_code=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(scripted.status).toBe(400);
    expect(scripted.text).not.toContain('<script>alert(1)');
    expect(kl.logs.join('')).not.toMatch(/"status":5\d\d/);
  });

  test('the device authorization endpoint wants the client to authenticate: 401 invalid_client without it', async () => {
    const answer = await fetch(`${kl.url}/device/auth`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'scope=openid' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await answer.json() as { error: string }).error).toBe('invalid_client');
  });

  test('a browser without a session here (its cookie lost or expired) is sent back to the page with its code, to confirm', async () => {
    const device = await startDeviceAuthorization(kl, tv);
    const browser = new BrowserLikeClient();
    const cookieless = await browser.postForm(`${kl.url}/device`, { xsrf: 'from a page long ago', user_code: device.user_code });
    expect(cookieless.status).toBe(303);
    const confirmPage = await browser.followWithin(kl.url, cookieless);
    expect(confirmPage.status).toBe(200);
    expect(visibleText(confirmPage.text)).toContain('Check that your device shows this code:');
    const { last } = await signInForDevice(kl, browser, await confirmUserCode(kl, browser, confirmPage), user);
    expect(visibleText(last.text)).toContain('Your device is connected');
  });
});

describe('an expired device code', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  beforeAll(async () => { ({ kl, cleanup } = await startOnBackend(sqliteBackend, { config: { device: { codeTtl: 1 } } })); });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('is refused on the user-code page as expired, and the device gets expired_token', async () => {
    const tv = await registerDeviceClient(kl);
    const device = await startDeviceAuthorization(kl, tv);
    expect(device.expires_in).toBe(1);
    await sleep(2100);
    const expired = await enterUserCode(kl, new BrowserLikeClient(), device.user_code);
    expect(expired.status).toBe(400);
    expect(visibleText(expired.text)).toContain('This code has expired. Start again on your device to get a new code.');
    expect((await pollForTokens(kl, tv, device.device_code)).body.error).toBe('expired_token');
  });
});

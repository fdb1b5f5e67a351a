import { setTimeout as sleep } from 'node:timers/promises';
import { startKeyline } from '../support/start-keyline.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';
import { createTestUser, registerTestClient, signIn, silentAuthorize } from '../support/oidc-flow.ts';


test('a session ends at its absolute lifetime however active it is', async () => {
  const kl = await startKeyline({ config: { ttl: { sessionIdle: 60, sessionAbsolute: 3 } } });
  try {
    const client = await registerTestClient(kl);
    const { browser } = await signIn(kl, client, await createTestUser(kl));
    for (let i = 0; i < 3; i += 1) {
      expect((await silentAuthorize(kl, client, browser)).searchParams.get('code')).toBeTruthy();
      await sleep(700);
    }
    await sleep(1500);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('error')).toBe('login_required');
  } finally {
    await kl.stop();
  }
});

test('a session ends after its idle timeout, and use keeps it alive until then', async () => {
  const kl = await startKeyline({ config: { ttl: { sessionIdle: 2, sessionAbsolute: 3600 } } });
  try {
    const client = await registerTestClient(kl);
    const { browser } = await signIn(kl, client, await createTestUser(kl));
    await sleep(1200);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('code')).toBeTruthy();
    await sleep(1200);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('code')).toBeTruthy();
    await sleep(2300);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('error')).toBe('login_required');
  } finally {
    await kl.stop();
  }
});

test('"keep me signed in" gives a persistent cookie; otherwise the session cookie is transient', async () => {
  const kl = await startKeyline();
  try {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    const sessionCookie = async (browser: BrowserLikeClient) => (await browser.jar.getCookies(kl.url)).find((cookie) => cookie.key === 'keyline.session');
    const transient = await signIn(kl, client, user);
    expect((await sessionCookie(transient.browser))?.expires).toBe('Infinity');
    const remembered = await signIn(kl, client, user, { remember: true });
    const expires = (await sessionCookie(remembered.browser))?.expires as Date;
    expect(expires.getTime() - Date.now()).toBeGreaterThan(24 * 3600 * 1000);
  } finally {
    await kl.stop();
  }
});

/**
 * Session fixation against the example app: an attacker gets a session name from the example
 * (opening /login is enough), plants it in a victim's browser (any app on the same host can set a
 * cookie for it, since cookies ignore the port), and waits for the victim to sign in. The session
 * is renamed when someone signs in, so the planted name then reaches nothing.
 */
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { keylineWithExample, signInToExample } from '../support/example-app.ts';

const running = keylineWithExample();

test('a session name planted before the sign-in shows nothing of the person after it', async () => {
  const { url } = running.example();
  const attacker = new BrowserLikeClient();
  await attacker.get(`${url}/login`);
  const planted = (await attacker.jar.getCookies(url)).find((cookie) => cookie.key === 'example_session')!;
  expect(planted).toBeDefined();

  const victim = await createTestUser(running.kl());
  const victimBrowser = new BrowserLikeClient();
  await victimBrowser.jar.setCookie(`example_session=${planted.value}; Path=/`, url);
  const signedIn = await signInToExample(running.kl(), running.example(), victim, victimBrowser);
  expect(signedIn.page.text).toContain(victim.id);
  const victimCookie = (await victimBrowser.jar.getCookies(url)).find((cookie) => cookie.key === 'example_session')!;
  expect(victimCookie.value).not.toBe(planted.value);

  const seenByAttacker = await attacker.get(`${url}/`);
  expect(seenByAttacker.text).not.toContain(victim.id);
  expect(seenByAttacker.text).not.toContain(victim.email);
  expect(seenByAttacker.text).toContain('id="sign-in"');
});

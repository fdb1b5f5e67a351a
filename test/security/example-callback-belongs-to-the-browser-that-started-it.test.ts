/**
 * Login CSRF against the example app: an attacker signs in with their own account, stops at the
 * callback, and gets a victim's browser to open that link. Before, the example kept pending sign-ins
 * in one map for every browser, so the victim ended up signed in as the attacker (and whatever the
 * victim then entered would be the attacker's to read). The state now lives in the session of the
 * browser that started the sign-in.
 */
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { signInAtKeyline, keylineWithExample } from '../support/example-app.ts';

const running = keylineWithExample();
const kl = () => running.kl();
const example = () => running.example();

test.each([
  ['a fresh browser', async () => new BrowserLikeClient()],
  ['a browser in the middle of its own sign-in', async () => {
    const victim = new BrowserLikeClient();
    await victim.get(`${example().url}/login`);
    return victim;
  }],
])('%s that opens an attacker\'s callback link is not signed in as the attacker', async (_name, victimBrowser) => {
  const attacker = await createTestUser(kl());
  const { callback } = await signInAtKeyline(kl(), example(), attacker);
  const victim = await victimBrowser();

  const opened = await victim.get(callback);
  expect(opened.status).toBe(400);
  expect(opened.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(opened.text).toContain('href="/login"');
  const home = await victim.get(`${example().url}/`);
  expect(home.text).toContain('id="sign-in"');
  expect(home.text).not.toContain(attacker.id);
});

/**
 * The example's sign-out: nothing in the request chooses where Keyline sends the browser back
 * (no open redirect through post_logout_redirect_uri), Keyline refuses an address the example did
 * not register even with the example's id_token_hint, and another site cannot sign the browser out
 * (the form carries the session's token).
 */
import { createTestUser } from '../support/oidc-flow.ts';
import { signInToExample, signOutToken, keylineWithExample } from '../support/example-app.ts';

const running = keylineWithExample();
const kl = () => running.kl();
const example = () => running.example();

test('a return address in the sign-out request is ignored, and Keyline refuses an unregistered one', async () => {
  const { browser, page } = await signInToExample(kl(), example(), await createTestUser(kl()));
  const signOut = await browser.postForm(`${example().url}/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F&next=https%3A%2F%2Fevil.example%2F`, {
    csrf: signOutToken(page), post_logout_redirect_uri: 'https://evil.example/', next: 'https://evil.example/',
  });
  const endSession = new URL(signOut.location!);
  expect(endSession.origin).toBe(new URL(kl().url).origin);
  expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${example().url}/signed-out`);
  expect(signOut.location).not.toContain('evil');

  endSession.searchParams.set('post_logout_redirect_uri', 'https://evil.example/');
  const refused = await browser.get(endSession.href);
  expect(refused.status).toBe(400);
  expect(refused.location).toBeUndefined();
});

test('a sign-out without the session\'s token (another site\'s form) signs nobody out', async () => {
  const user = await createTestUser(kl());
  const { browser } = await signInToExample(kl(), example(), user);
  for (const form of [{}, { csrf: 'forged' }, { csrf: '' }] as Array<Record<string, string>>) {
    const answer = await browser.postForm(`${example().url}/logout`, form);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${example().url}/`);
    expect((await browser.get(`${example().url}/`)).text).toContain(user.id);
  }
});

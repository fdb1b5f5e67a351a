/**
 * A callback link replayed (the back button, a leaked link, a log line): it signs nobody in a
 * second time, in the browser that used it or any other, and the page says so in HTML with a way
 * back, instead of the old `400 text/plain` "bad callback".
 */
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { followAcross, signInAtKeyline, keylineWithExample } from '../support/example-app.ts';

const running = keylineWithExample();
const kl = () => running.kl();
const example = () => running.example();

test('a used callback link signs nobody in again, and the first sign-in stays as it was', async () => {
  const user = await createTestUser(kl());
  const { browser, callback } = await signInAtKeyline(kl(), example(), user);
  const page = await followAcross(kl(), example(), browser, await browser.get(callback));
  expect(page.status).toBe(200);
  expect(page.text).toContain(user.id);

  for (const replaying of [browser, new BrowserLikeClient()]) {
    const replayed = await replaying.get(callback);
    expect(replayed.status).toBe(400);
    expect(replayed.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(replayed.text).toContain('This sign-in link cannot be used');
  }
  expect((await browser.get(`${example().url}/`)).text).toContain(user.id);
});

test('two tabs: each callback finishes only its own request, once', async () => {
  const user = await createTestUser(kl());
  const browser = new BrowserLikeClient();
  const first = await signInAtKeyline(kl(), example(), user, browser);
  const second = await signInAtKeyline(kl(), example(), user, browser);
  expect(new URL(first.callback).searchParams.get('state')).not.toBe(new URL(second.callback).searchParams.get('state'));
  const [a, b] = await Promise.all([browser.get(first.callback), browser.get(second.callback)]);
  expect([a.status, b.status]).toEqual([303, 303]);
  const replay = await browser.get(first.callback);
  expect(replay.status).toBe(400);
});

test('a callback whose iss is not Keyline (mix-up) is refused, and its code is not spent on another issuer', async () => {
  const user = await createTestUser(kl());
  const { browser, callback } = await signInAtKeyline(kl(), example(), user);
  const forged = new URL(callback);
  forged.searchParams.set('iss', 'http://127.0.0.1:9');
  const answer = await browser.get(forged.href);
  expect(answer.location).toBe(`${example().url}/sign-in-problem`);
  const problem = await browser.get(answer.location!);
  expect(problem.status).toBe(400);
  expect(problem.text).toContain('<code id="problem-code">wrong_issuer</code>');
  expect((await browser.get(`${example().url}/`)).text).toContain('id="sign-in"');
});

test('the same callback opened 10 times at once in its browser finishes the sign-in once', async () => {
  const user = await createTestUser(kl());
  const { browser, callback } = await signInAtKeyline(kl(), example(), user);
  const answers = await Promise.all(Array.from({ length: 10 }, () => browser.get(callback)));
  expect(answers.map((answer) => answer.status).sort()).toEqual([303, ...Array(9).fill(400)]);
});

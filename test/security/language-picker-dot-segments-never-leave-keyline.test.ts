import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * The picker's `return` starts with one slash, yet resolving it removes dot segments: `/.//evil`,
 * `/..//evil` and `/%2e%2e//evil` all resolve on Keyline to the path `//evil`, which a browser
 * reads as another host (a protocol-relative URL) when it is sent back in Location. The path
 * Keyline sends must itself stay on Keyline, not only the URL it was resolved to.
 */
let kl: RunningKeyline;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl } = ready); });

async function locationFor(back: string): Promise<string | null> {
  const answer = await fetch(`${kl.url}/language`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: kl.url, 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ locale: 'de', return: back }).toString(),
  });
  await answer.arrayBuffer();
  expect(answer.status).toBe(303);
  return answer.headers.get('location');
}

test.each([
  '/.//evil.example/phish',
  '/..//evil.example/phish',
  '/%2e%2e//evil.example',
  '/%2E//evil.example',
  '/a/..//evil.example',
  '/interaction/abc/../..//evil.example',
])('return=%j sends the person to a path that a browser resolves on Keyline', async (back) => {
  const location = await locationFor(back);
  expect(location).toMatch(/^\/(?![/\\])/);
  expect(new URL(location!, kl.url).origin).toBe(new URL(kl.url).origin);
});

test('a path whose dot segments stay on Keyline is still honoured as it resolves', async () => {
  expect(await locationFor('/interaction/abc/../abc?x=1')).toBe('/interaction/abc?x=1');
});

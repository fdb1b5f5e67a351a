import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * The language picker sends a person back to the page they were on, named by the form's `return`
 * field. A crafted form or link must not turn that into an open redirect: anything that resolves
 * off Keyline's origin goes to the start page instead, and what stays is a path, never a URL.
 */
let kl: RunningKeyline;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl } = ready); });

async function pickWithReturn(back: string): Promise<{ status: number; location: string | null }> {
  const answer = await fetch(`${kl.url}/language`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: kl.url },
    body: new URLSearchParams({ locale: 'de', return: back }).toString(),
  });
  await answer.arrayBuffer();
  return { status: answer.status, location: answer.headers.get('location') };
}

test.each([
  '//evil.example/phish',
  '/\\evil.example/phish',
  '/\\/evil.example',
  '\\\\evil.example',
  'https://evil.example/phish',
  `${'http'}://127.0.0.1:9/elsewhere`,
  'javascript:alert(1)',
  'evil.example',
  '/\t/evil.example',
  '/%0d%0aSet-Cookie:x=1',
  '',
])('return=%j sends the person to a path on Keyline, never elsewhere', async (back) => {
  const { status, location } = await pickWithReturn(back);
  expect(status).toBe(303);
  expect(location).toMatch(/^\/(?![/\\])/);
  expect(new URL(location!, kl.url).origin).toBe(new URL(kl.url).origin);
});

test('a path on Keyline, with its query, is kept as it was', async () => {
  expect(await pickWithReturn('/interaction/abc-DEF_123?x=1&y=2')).toEqual({ status: 303, location: '/interaction/abc-DEF_123?x=1&y=2' });
  expect(await pickWithReturn('//evil.example')).toEqual({ status: 303, location: '/' });
  // A full URL of Keyline itself is not a path: start page (the picker only ever sends paths).
  expect((await pickWithReturn('https://evil.example')).location).toBe('/');
});

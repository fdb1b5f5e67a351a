import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Another site could post the language form in a person's browser (the cookie is SameSite=Lax,
 * which a top-level POST's answer still sets) and switch Keyline's pages to a language the person
 * cannot read, to make a phishing step look like Keyline's own. A form from another origin is refused.
 */
let kl: RunningKeyline;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl } = ready); });

async function pickFrom(origin: string | undefined, site?: string): Promise<{ status: number; cookies: string[] }> {
  const answer = await fetch(`${kl.url}/language`, {
    method: 'POST', redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded', accept: 'text/html',
      ...(origin === undefined ? {} : { origin }), ...(site === undefined ? {} : { 'sec-fetch-site': site }),
    },
    body: new URLSearchParams({ locale: 'ar', return: '/' }).toString(),
  });
  await answer.arrayBuffer();
  return { status: answer.status, cookies: answer.headers.getSetCookie().filter((line) => line.startsWith('keyline.language=')) };
}

test.each([
  ['https://evil.example', undefined], ['http://127.0.0.1:9', undefined],
  ['null', 'cross-site'], ['https://evil.example', 'cross-site'], ['null', 'same-site'], [undefined, 'cross-site'],
])('a form posted from Origin %s (Sec-Fetch-Site %s) is refused and remembers nothing', async (origin, site) => {
  expect(await pickFrom(origin, site)).toEqual({ status: 403, cookies: [] });
});

test('Keyline\'s own form (Origin null under no-referrer, same-origin), and a client that says nothing, are answered', async () => {
  expect((await pickFrom('null', 'same-origin')).status).toBe(303);
  expect((await pickFrom(kl.url, 'same-origin')).status).toBe(303);
  expect((await pickFrom(undefined)).status).toBe(303);
});

test('the form is a form: JSON, or a body too large, is refused with a 4xx', async () => {
  const json = await fetch(`${kl.url}/language`, { method: 'POST', headers: { 'content-type': 'application/json', origin: kl.url }, body: '{"locale":"ar"}' });
  expect(json.status).toBe(415);
  const large = await fetch(`${kl.url}/language`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: kl.url }, body: `locale=de&return=/${'a'.repeat(40_000)}`,
  });
  expect(large.status).toBe(413);
});

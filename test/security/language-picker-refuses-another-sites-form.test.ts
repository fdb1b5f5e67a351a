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

async function pickFrom(origin: string | undefined): Promise<{ status: number; cookies: string[] }> {
  const answer = await fetch(`${kl.url}/language`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(origin === undefined ? {} : { origin }) },
    body: new URLSearchParams({ locale: 'ar', return: '/' }).toString(),
  });
  await answer.arrayBuffer();
  return { status: answer.status, cookies: answer.headers.getSetCookie().filter((line) => line.startsWith('keyline.language=')) };
}

test.each(['https://evil.example', 'null', 'http://127.0.0.1:9'])('a form posted from %s is refused and remembers nothing', async (origin) => {
  expect(await pickFrom(origin)).toEqual({ status: 403, cookies: [] });
});

test('Keyline\'s own form, and a client that sends no Origin, are answered', async () => {
  expect((await pickFrom(kl.url)).status).toBe(303);
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

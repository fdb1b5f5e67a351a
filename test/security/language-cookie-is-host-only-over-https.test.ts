import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Keyline refuses another site's language form, since a forced language can dress up a phishing
 * step. Over https the cookie was still plain `keyline.language`, which a sibling subdomain (or a
 * plain-http answer on this host) can plant with Domain=: the same forced language, for a year,
 * even beating an app's ui_locales on the interaction it names. Over https the cookie is
 * `__Host-keyline.language`, which a browser accepts only from this host, Secure, for Path=/.
 */
let kl: RunningKeyline;
// An https issuer: Keyline's cookies follow the issuer's scheme (pin-host-to-issuer.ts), whatever the hop to it.
useKeyline(sqliteBackend, { config: { issuer: 'https://keyline.example.test' } }, (ready) => { ({ kl } = ready); });

test('over https the picker sets a __Host- cookie: Secure, Path=/, no Domain', async () => {
  const answer = await fetch(`${kl.url}/language`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ locale: 'de', return: '/' }).toString(),
  });
  await answer.arrayBuffer();
  expect(answer.status).toBe(303);
  const cookies = answer.headers.getSetCookie().filter((line) => /^(__Host-)?keyline\.language=/.test(line));
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatch(/^__Host-keyline\.language=de; path=\//);
  expect(cookies[0]).toMatch(/; secure/);
  expect(cookies[0]).not.toMatch(/domain=/i);
});

test('over https a planted plain keyline.language cookie is not read; the __Host- one is', async () => {
  const langOf = async (cookie: string) => {
    const page = await fetch(`${kl.url}/`, { headers: { accept: 'text/html', 'accept-language': 'fr', cookie } });
    return /<html lang="([^"]+)"/.exec(await page.text())?.[1];
  };
  expect(await langOf('keyline.language=ar')).toBe('fr');
  expect(await langOf('__Host-keyline.language=ja')).toBe('ja');
});

import { allBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * The profile page adds the origin of the person's https picture to its img-src. The URL parser
 * keeps `*`, `;`, `,` and quotes in a host (`https://*\/me.png` has the origin `https://*`), so a
 * picture URL saved through the profile form (or by an administrator) wrote the CSP header: `*`
 * allowed images from every https host, `;` started a directive of its own, `,` a second policy.
 * Such a picture is not shown and its host never reaches the header; an ordinary one still is.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const HOSTILE = [
  'https://*/me.png',
  'https://*.example/me.png',
  'https://pics.example;script-src/me.png',
  'https://pics.example,img-src/me.png',
  "https://'unsafe-inline'/me.png",
  'https://pics.example%3Bimg-src/me.png',
];

const EXPECTED_IMG_SRC = /^img-src 'self' data:( https:\/\/[a-z0-9.-]+(:\d+)?)*$/;

describe.each(backends)('the picture and the profile page\'s CSP on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  test.each(HOSTILE)('%s, saved through the profile form, stays out of the header', async (picture) => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    const saved = await pages.post('/account/profile', { name: 'Ada', picture });
    expect(saved.status).toBeLessThan(500);
    const page = await pages.open('/account');
    const csp = page.headers.get('content-security-policy')!;
    const directives = csp.split('; ');
    expect(directives.map((directive) => directive.split(' ')[0])).toEqual(
      ['default-src', 'script-src', 'style-src', 'img-src', 'connect-src', 'frame-ancestors', 'base-uri'],
    );
    expect(csp).not.toContain(',');
    expect(directives.find((directive) => directive.startsWith('img-src'))).toMatch(EXPECTED_IMG_SRC);
    expect(page.text).not.toContain('class="kl-picture"');
  });

  test('an ordinary https picture is still shown, its origin (IDN in xn-- form, a port) alone added', async () => {
    const user = await createTestUser(kl);
    const pages = new AccountPages(kl);
    await pages.open('/account');
    await pages.signIn(user);
    await pages.post('/account/profile', { name: 'Ada', picture: 'https://bücher.example:8443/ada.png' });
    const page = await pages.open('/account');
    expect(page.text).toContain('class="kl-picture"');
    const imgSrc = page.headers.get('content-security-policy')!.split('; ').find((directive) => directive.startsWith('img-src'));
    expect(imgSrc).toBe("img-src 'self' data: https://xn--bcher-kva.example:8443");
  });
});

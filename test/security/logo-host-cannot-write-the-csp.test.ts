import { allBackends } from '../support/backends.ts';
import { initialAccessToken, registerDynamically } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, openLoginPage, REDIRECT_URI } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21 review: the consent page adds the client's logo origin to its CSP `img-src`. A logo_uri
 * is only checked to be http(s) (oidc-provider's schema), and the URL parser keeps `;`, `,` and `*`
 * in a host. So a registrant (here through dynamic registration) wrote the header: `;` starts a
 * directive of its choosing, `,` cuts the policy in two, `*` allows images from anywhere. A logo
 * whose origin is not a plain host-source is not shown, and never reaches the header.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const EXPECTED_DIRECTIVES = ['default-src', 'script-src', 'style-src', 'img-src', 'connect-src', 'frame-ancestors', 'base-uri'];
/** CSP host-source (CSP3 §2.3.1) without wildcards: scheme, dotted labels of letters, digits and '-', optional port. */
const PLAIN_HOST_SOURCE = /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z0-9-]+(?::\d+)?$|^https?:\/\/\[[0-9a-f:.]+\](?::\d+)?$/;

describe.each(backends)('a registered logo address and the consent page\'s CSP on $name', (backend) => {
  let kl: RunningKeyline;
  let token: string;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, async (ready) => {
    ({ kl } = ready);
    token = await initialAccessToken(kl);
  });

  async function consentFor(logoUri: string): Promise<{ html: string; csp: string }> {
    const registered = await registerDynamically(kl, { client_name: 'Acme Notes', redirect_uris: [REDIRECT_URI], logo_uri: logoUri }, token);
    expect(registered.status).toBe(201);
    const user = await createTestUser(kl);
    const login = await openLoginPage(kl, { clientId: registered.body.client_id, clientSecret: String(registered.body.client_secret), redirectUri: REDIRECT_URI });
    const page = await login.browser.followWithin(kl.url, await login.browser.postForm(login.action, { email: user.email, password: user.password, csrf: login.csrf }));
    expect(page.text).toContain('wants to use your Keyline account');
    return { html: page.text, csp: page.headers.get('content-security-policy') ?? '' };
  }

  test.each([
    ['a semicolon (a directive of its own)', 'https://logos.example;sandbox/logo.png'],
    ['a comma (a second policy)', 'https://logos.example,img-src/logo.png'],
    ['a wildcard host (any https image)', 'https://*/logo.png'],
    ['a wildcard subdomain', 'https://*.example/logo.png'],
    ['a quoted keyword as host', "https://'unsafe-inline'/logo.png"],
  ])('a logo host with %s: not shown, and the CSP stays one policy of plain sources', async (_what, logoUri) => {
    const { html, csp } = await consentFor(logoUri);
    expect(html).not.toContain('kl-client-logo');
    expect(csp).not.toContain(',');
    const directives = csp.split(';').map((directive) => directive.trim().split(/\s+/));
    expect(directives.map(([name]) => name)).toEqual(EXPECTED_DIRECTIVES);
    const imageSources = directives.find(([name]) => name === 'img-src')!.slice(1);
    for (const source of imageSources.filter((token) => token !== "'self'" && token !== 'data:')) {
      expect(source).toMatch(PLAIN_HOST_SOURCE);
    }
  });

  test('an ordinary https logo is still shown and allowed for its origin only', async () => {
    const { html, csp } = await consentFor('https://cdn.acme.example/logo.png');
    expect(html).toContain('<img class="kl-client-logo" src="https://cdn.acme.example/logo.png"');
    expect(csp).toMatch(/img-src 'self' data: https:\/\/cdn\.acme\.example;/);
  });
});

import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, openLoginPage, registerTestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21: the client's logo is the biggest thing on the consent page. Fetched over plain http from
 * another machine, anyone on the network path (a café's Wi-Fi) could swap it for another brand's
 * while the page itself is https. So it is shown, and allowed by the page's CSP, only over https
 * (or from loopback, which no network sits in front of); any other scheme is not shown at all.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('a client\'s logo on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  async function consentFor(logoUri: string): Promise<{ html: string; csp: string }> {
    const client = await registerTestClient(kl, { name: 'Acme Notes', logoUri });
    const user = await createTestUser(kl);
    const login = await openLoginPage(kl, client);
    const page = await login.browser.followWithin(kl.url, await login.browser.postForm(login.action, { email: user.email, password: user.password, csrf: login.csrf }));
    expect(page.text).toContain('wants to use your Keyline account');
    return { html: page.text, csp: page.headers.get('content-security-policy') ?? '' };
  }

  test('over plain http from another machine: not shown, and not allowed by the CSP', async () => {
    const { html, csp } = await consentFor('http://cdn.acme.example/logo.png');
    expect(html).not.toContain('cdn.acme.example');
    expect(html).not.toContain('kl-client-logo');
    expect(csp).not.toContain('cdn.acme.example');
  });

  test('over https: shown, and allowed by the CSP for that origin only', async () => {
    const { html, csp } = await consentFor('https://cdn.acme.example/logo.png');
    expect(html).toContain('<img class="kl-client-logo" src="https://cdn.acme.example/logo.png"');
    expect(csp).toMatch(/img-src [^;]*https:\/\/cdn\.acme\.example(?=;|$)/);
  });
});

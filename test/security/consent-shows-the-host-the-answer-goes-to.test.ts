import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, openLoginPage, registerTestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21: a phisher gets a client registered under a trusted brand's name. The name on the consent
 * page is whatever they chose; the host the answer (the code) goes to is not, so the page shows it,
 * as the address bar would, whatever tricks the registered address plays: a look-alike letter, the
 * brand put in the user-info part or as a subdomain of the phisher's domain.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the host consent shows on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, (ready) => { ({ kl } = ready); });

  test.each([
    ['a look-alike letter (Cyrillic а)', 'https://аcme.example/callback', 'xn--cme-5cd.example'],
    ['the brand as user-info', 'https://acme.example@phish.example/callback', 'phish.example'],
    ['the brand as a subdomain', 'https://acme.example.phish.example/callback', 'acme.example.phish.example'],
  ])('%s: the real host, in the box people are told to check', async (_trick, redirectUri, shown) => {
    const client = await registerTestClient(kl, { name: 'Acme', redirectUris: [redirectUri] });
    const user = await createTestUser(kl);
    const login = await openLoginPage(kl, client);
    const page = await login.browser.followWithin(kl.url, await login.browser.postForm(login.action, { email: user.email, password: user.password, csrf: login.csrf }));
    expect(page.text).toContain('<h1>Acme wants to use your Keyline account</h1>');
    expect(/<p class="kl-client-domain">[^<]*<strong dir="ltr">([^<]*)<\/strong>/.exec(page.text)?.[1]).toBe(shown);
  });
});

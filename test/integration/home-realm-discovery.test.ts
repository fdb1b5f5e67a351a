import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { ALICE, addDirectoryUpstream, codeAfter, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({ people: [ALICE] }, (started) => { directory = started; });

/**
 * Home-realm discovery (identifier-first): while a client offers an upstream that claims email
 * domains, its login page asks for the address first; an address in a claimed domain goes to that
 * upstream (here the directory's page), any other gets the password form with the address kept. A
 * domain claimed by an upstream the client does not offer stays local, and a client offered no
 * domain-claiming upstream keeps the login page it always had.
 */
describe.each(backends)('home-realm discovery on $name', (backend) => {
  let kl: RunningKeyline;
  let acmeClient: TestClient;
  let plainClient: TestClient;
  const localPassword = 'a local password, before the domain was claimed';
  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    const admin = await AdminSession.open(kl);
    await addDirectoryUpstream(admin, directory, { domains: ['acme.test'] });
    await addDirectoryUpstream(admin, directory, { id: 'other', name: 'Other directory', domains: ['other.test'] });
    acmeClient = await registerTestClient(kl, { upstreams: ['acme'] });
    plainClient = await registerTestClient(kl, { upstreams: ['nothing-here'] });
    await kl.keyline.accounts.create('bob@acme.test', localPassword, 'Bob');
    await kl.keyline.accounts.create('dave@other.test', localPassword, 'Dave');
  });

  const identify = (start: Awaited<ReturnType<typeof startInteraction>>, email: string) =>
    start.browser.postForm(`${kl.url}/interaction/${start.uid}/identify`, { email, csrf: start.csrf });

  test('the login page asks only for the address, and an address in the claimed domain goes to its directory with the address kept', async () => {
    const start = await startInteraction(kl, acmeClient);
    expect(start.page.text).toContain(`action="/interaction/${start.uid}/identify"`);
    expect(start.page.text).not.toContain('type="password"');
    expect(start.page.text).toContain('>Continue<');
    const answer = await identify(start, 'Alice@ACME.test');
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${kl.url}/interaction/${start.uid}/upstream/acme?login_hint=Alice%40ACME.test`);
    const page = await start.browser.get(answer.location!);
    expect(page.text).toContain('value="Alice@ACME.test"');
    await codeAfter(kl, acmeClient, start, await postDirectoryPassword(kl, start, 'alice@acme.test', 'alice directory secret'));
  });

  test('another address stays local: the password form with the address filled in', async () => {
    const start = await startInteraction(kl, acmeClient);
    const answer = await identify(start, 'someone@example.test');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`action="/interaction/${start.uid}/login"`);
    expect(answer.text).toContain('type="password"');
    expect(answer.text).toContain('value="someone@example.test"');
  });

  test('a domain claimed by an upstream this client does not offer stays local', async () => {
    const start = await startInteraction(kl, acmeClient);
    const answer = await identify(start, 'dave@other.test');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('type="password"');
    const signedIn = await start.browser.postForm(`${kl.url}/interaction/${start.uid}/login`, { email: 'dave@other.test', password: localPassword, csrf: start.csrf });
    await codeAfter(kl, acmeClient, start, signedIn);
  });

  test('a password posted for an address in the claimed domain never signs in locally: it goes to the directory', async () => {
    const start = await startInteraction(kl, acmeClient);
    const answer = await start.browser.postForm(`${kl.url}/interaction/${start.uid}/login`, { email: 'bob@acme.test', password: localPassword, csrf: start.csrf });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${kl.url}/interaction/${start.uid}/upstream/acme?login_hint=bob%40acme.test`);
    // Still at the login step: nothing signed in.
    const again = await start.browser.get(`${kl.url}/interaction/${start.uid}`);
    expect(again.text).toContain(`action="/interaction/${start.uid}/identify"`);
  });

  test('a client offered no domain-claiming upstream keeps its login page, and the claimed domain signs in locally there', async () => {
    const start = await startInteraction(kl, plainClient);
    expect(start.page.text).toContain(`action="/interaction/${start.uid}/login"`);
    expect(start.page.text).toContain('type="password"');
    expect(start.page.text).not.toContain('/identify');
    const identified = await identify(start, 'alice@acme.test');
    expect(identified.status).toBe(200);
    expect(hiddenField(identified.text, 'csrf')).toBe(start.csrf);
    const signedIn = await start.browser.postForm(`${kl.url}/interaction/${start.uid}/login`, { email: 'bob@acme.test', password: localPassword, csrf: start.csrf });
    await codeAfter(kl, plainClient, start, signedIn);
  });
});

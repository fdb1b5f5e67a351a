import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21 gave every error page a way out. An attacker who sends someone a crafted link must not
 * turn that way out into a link of theirs: whatever the request names (redirect_uri, return, a
 * client_uri-looking parameter, an unknown or another client), the page links only to Keyline's own
 * pages or to the home page an administrator registered for the client.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const EVIL = 'https://evil.example/phish';

/**
 * The page without its language picker: the picker posts to Keyline's /language with this page's
 * own address as a hidden field, to come back to it in the chosen language, and /language answers
 * only with a path on Keyline (language-picker-return-path-stays-on-keyline,
 * language-picker-dot-segments-never-leave-keyline). What it carries is not a way out.
 */
function outsideThePicker(html: string): string {
  return html.replace(/<form class="kl-language"[\s\S]*?<\/form>/, '');
}

/** Every href and form action on a page. */
function destinations(html: string): string[] {
  return [...html.matchAll(/(?:href|action)="([^"]*)"/g)].map((match) => match[1]!.replace(/&amp;/g, '&'))
    .filter((target) => !target.startsWith('/assets/'));
}

describe.each(backends)('the way out of an error page on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    client = await registerTestClient(kl, { name: 'Acme Notes', clientUri: 'https://notes.example/' });
  });

  test.each([
    ['an unknown client naming a redirect_uri', () => `${kl.url}/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(EVIL)}&client_uri=${encodeURIComponent(EVIL)}`],
    ['an expired sign-in page with return and redirect_uri', () => `${kl.url}/interaction/no-such-interaction?return=${encodeURIComponent(EVIL)}&redirect_uri=${encodeURIComponent(EVIL)}`],
    ['an unknown path with a next parameter', () => `${kl.url}/no/such/page?next=${encodeURIComponent(EVIL)}`],
  ])('%s: only Keyline\'s own pages', async (_what, url) => {
    const answer = await new BrowserLikeClient().get(url());
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(outsideThePicker(answer.text)).not.toContain('evil.example');
    expect(destinations(outsideThePicker(answer.text))).toEqual(['/', '/account']);
  });

  test('a registered client with an unregistered redirect_uri: only its registered home page', async () => {
    const answer = await new BrowserLikeClient().get(authorizeUrl(kl, client, {
      redirect_uri: EVIL, code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    }));
    expect(answer.status).toBe(400);
    expect(outsideThePicker(answer.text)).not.toContain('evil.example');
    expect(destinations(outsideThePicker(answer.text))).toEqual(['https://notes.example/']);
  });
});

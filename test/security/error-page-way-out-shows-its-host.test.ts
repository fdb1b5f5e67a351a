import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { registerDynamically } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, pkcePair, REDIRECT_URI } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 21 review: an error page's way out is "Back to <client name>", to the client's registered
 * client_uri. Whoever holds an initial access token registers both, so the page, on Keyline's own
 * address, offered "Back to Keyline account recovery" towards a host of theirs with nothing to tell
 * it apart. Like every client link on the consent page, the way out shows the host it leads to.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

/** The page as read: text only, tags and attributes dropped. */
function visibleText(html: string): string {
  return html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe.each(backends)('the way out of an error page for a registered client on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, (ready) => { ({ kl } = ready); });

  test.each([
    ['an https home page', 'https://recovery.keyline-help.example/start', 'recovery.keyline-help.example'],
    ['a look-alike letter', 'https://keylіne.example/', 'xn--keylne-svf.example'],
    ['the brand as user-info', 'https://keyline.example@phish.example/', 'phish.example'],
  ])('%s: the page names the host next to the way out', async (_what, clientUri, host) => {
    const registered = await registerDynamically(kl, { client_name: 'Keyline account recovery', redirect_uris: [REDIRECT_URI], client_uri: clientUri });
    expect(registered.status).toBe(201);
    const client = { clientId: registered.body.client_id, redirectUri: REDIRECT_URI };
    const answer = await new BrowserLikeClient().get(authorizeUrl(kl, client, {
      redirect_uri: 'https://elsewhere.example/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    }));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Back to Keyline account recovery');
    expect(visibleText(answer.text)).toContain(host);
  });
});

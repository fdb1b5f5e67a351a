import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { startInternalService, type InternalService } from '../support/internal-service.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { authorizeUrl, pkcePair, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { addRedirectUpstream } from '../support/upstream-sign-in.ts';

/**
 * Home-realm discovery starts an upstream from the identifier-first form and from the password
 * form, not only from its button. An upstream that cannot be started (its discovery refused by the
 * outbound guard, or down) ended those two ways in a 500 with the button's way ending on the
 * upstream error page: anyone could produce a 500 by typing an address in the claimed domain.
 * Every way in now ends on the same error page (502, a way back), and the address inside the
 * network is never called.
 */
let kl: RunningKeyline;
let client: TestClient;
let internal: InternalService;

useKeyline(sqliteBackend, {}, async (ready) => {
  ({ kl, client } = ready);
  internal = await startInternalService();
  const inside = internal.url;
  await addRedirectUpstream(kl, { id: 'inside', domains: ['inside.test'], settings: { issuer: inside, clientId: 'k' } }, { clientSecret: 's' });
});
afterAll(() => internal?.close());

async function loginPage(): Promise<{ browser: BrowserLikeClient; uid: string; csrf: string }> {
  const browser = new BrowserLikeClient();
  const { challenge } = pkcePair();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
  const uid = /\/interaction\/([^/"]+)\//.exec(page.text)?.[1];
  const csrf = hiddenField(page.text, 'csrf');
  if (!uid || !csrf) throw new Error(`expected a login page, got ${page.status}`);
  return { browser, uid, csrf };
}

test.each([
  ['the identifier-first form', 'identify', {}],
  ['the password form', 'login', { password: 'whatever-was-typed' }],
])('%s with an address in the domain of an upstream that cannot start: the upstream error page, not a 500', async (_name, route, extra) => {
  const { browser, uid, csrf } = await loginPage();
  const answer = await browser.postForm(`${kl.url}/interaction/${uid}/${route}`, { csrf, email: 'someone@inside.test', ...extra });
  expect(answer.status).toBe(502);
  expect(answer.location).toBeUndefined();
  expect(answer.text).toContain(`/interaction/${uid}`);
  expect(internal.hits()).toBe(0);
  expect(kl.logs.join('\n')).toMatch(/outbound guard refused/);
});

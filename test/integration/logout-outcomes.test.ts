import { integrationBackends } from '../support/backends.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  createTestUser, exchangeCode, registerTestClient, signIn, silentAuthorize, tokenRequest, type TestClient,
} from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the two outcomes of a logout confirmation, on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    client = await registerTestClient(kl, { name: 'Stay App' });
  });

  async function atConfirmation(params: Record<string, string> = {}) {
    const user = await createTestUser(kl);
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const tokens = (await exchangeCode(kl, client, signedIn)).body;
    const confirm = await signedIn.browser.get(`${kl.url}/session/end?${new URLSearchParams({ id_token_hint: String(tokens.id_token), ...params })}`);
    expect(confirm.status).toBe(200);
    return { user, browser: signedIn.browser, tokens, confirm };
  }

  test('"No, stay signed in" says so, ends nothing and does not send the application to its signed-out page', async () => {
    const { user, browser, tokens, confirm } = await atConfirmation({ post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'x' });
    const stay = /href="([^"]*\/session\/end\/stay[^"]*)"/.exec(confirm.text)?.[1]?.replaceAll('&amp;', '&');
    expect(stay).toBeDefined();

    const stayed = await browser.get(new URL(stay!, kl.url).href);
    expect(stayed.status).toBe(200);
    expect(stayed.location).toBeUndefined();
    expect(stayed.text).toMatch(/You(&#39;|')re still signed in/);
    expect(stayed.text).not.toMatch(/signed out/i);
    expect(await kl.store.oidc.listByAccount('Session', user.id)).toHaveLength(1);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('code')).toBeTruthy();
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) });
    expect(refreshed.status).toBe(200);
  });

  test('"Sign out" ends the session and shows the signed-out page', async () => {
    const { user, browser, confirm } = await atConfirmation();
    const done = await browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
    expect(done.status).toBe(303);
    const page = await browser.followWithin(kl.url, done);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/You(&#39;|')re signed out/);
    expect(await kl.store.oidc.listByAccount('Session', user.id)).toEqual([]);
    expect((await silentAuthorize(kl, client, browser)).searchParams.get('error')).toBe('login_required');
  });
});

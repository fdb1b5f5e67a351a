import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { authorizeUrl, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT as a client would send it; Keyline reads its claims without trusting them. */
const unsignedJwt = (claims: Record<string, unknown>) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;

function visible(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', '\'').replace(/\s+/g, ' ');
}

// Which words a page shows and how an error travels do not depend on the store: one backend shows it.
describe('errors travel in the mode the client asked for and say what is wrong', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(sqliteBackend, {}, (ready) => { ({ kl, client } = ready); });

  test('request_not_supported goes back by form_post when the refused request object asked for it', async () => {
    const { challenge } = pkcePair();
    const request = unsignedJwt({
      iss: client.clientId, aud: kl.url, client_id: client.clientId, response_type: 'code', scope: 'openid',
      redirect_uri: client.redirectUri, response_mode: 'form_post', state: 'from-the-object', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const response = await new BrowserLikeClient().get(authorizeUrl(kl, client, { scope: 'openid', request }));
    expect(response.location).toBeUndefined();
    // oidc-provider answers an error by form_post with the error's status and the self-submitting form.
    expect(response.status).toBe(400);
    expect(response.text).toMatch(new RegExp(`<form[^>]+method="post"[^>]+action="${client.redirectUri.replaceAll('/', '\\/')}"`));
    expect(hiddenField(response.text, 'error')).toBe('request_not_supported');
    expect(hiddenField(response.text, 'state')).toBe('from-the-object');
    expect(hiddenField(response.text, 'iss')).toBe(kl.url);
  });

  test('the request\'s own response_mode wins over the refused object\'s', async () => {
    const request = unsignedJwt({ client_id: client.clientId, response_mode: 'form_post' });
    const response = await new BrowserLikeClient().get(authorizeUrl(kl, client, { scope: 'openid', request, response_mode: 'query', state: 'outer' }));
    expect(response.status).toBe(303);
    const callback = new URL(response.location!);
    expect(callback.searchParams.get('error')).toBe('request_not_supported');
    expect(callback.searchParams.get('state')).toBe('outer');
  });

  test('a request object that is not a JWT still gets request_not_supported by the default mode', async () => {
    const response = await new BrowserLikeClient().get(authorizeUrl(kl, client, { scope: 'openid', request: 'not-a-jwt' }));
    expect(response.status).toBe(303);
    expect(new URL(response.location!).searchParams.get('error')).toBe('request_not_supported');
  });

  test('a sign-out request with an unregistered post_logout_redirect_uri is called a sign-out link', async () => {
    const page = await new BrowserLikeClient().get(`${kl.url}/session/end?${new URLSearchParams({ client_id: client.clientId, post_logout_redirect_uri: 'https://elsewhere.example/bye' })}`, { 'accept-language': 'en' });
    expect(page.status).toBe(400);
    const text = visible(page.text);
    expect(text).not.toMatch(/sign-in/i);
    expect(text).toMatch(/sign-out/i);
    expect(text).toMatch(/not registered/);
  });

  test('a missing redirect_uri is described as missing, not as unregistered', async () => {
    const twoAddresses = await registerTestClient(kl, { redirectUris: ['http://127.0.0.1:9/one', 'http://127.0.0.1:9/two'] });
    const { challenge } = pkcePair();
    const page = await new BrowserLikeClient().get(authorizeUrl(kl, twoAddresses, { redirect_uri: undefined, code_challenge: challenge, code_challenge_method: 'S256' }), { 'accept-language': 'en' });
    expect(page.status).toBe(400);
    const text = visible(page.text);
    expect(text).not.toMatch(/not registered|has not registered/);
    expect(text).toMatch(/does not say where to send you back/);
  });

  test('an id_token_hint for an app that is not registered says so, not that "this app" is unregistered', async () => {
    const hint = unsignedJwt({ iss: kl.url, aud: 'no-such-client', sub: 'someone', exp: Math.floor(Date.now() / 1000) + 600 });
    const page = await new BrowserLikeClient().get(`${kl.url}/session/end?${new URLSearchParams({ id_token_hint: hint })}`, { 'accept-language': 'en' });
    expect(page.status).toBe(400);
    const text = visible(page.text);
    expect(text).not.toContain('This app isn\'t registered');
    expect(text).toMatch(/sign-out/i);
    expect(text).toMatch(/app that isn't registered/);
  });
});

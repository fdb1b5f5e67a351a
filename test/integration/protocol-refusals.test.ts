import type { RunningKeyline } from '../support/start-keyline.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import {
  authorizeUrl, exchangeCode, introspect, pkcePair, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { integrationBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('protocol refusals on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let user: TestUser;
  useKeyline(backend, {}, (ready) => { ({ kl, client, user } = ready); });

  async function authorizeError(params: Record<string, string | undefined>): Promise<URL> {
    const response = await new BrowserLikeClient().get(authorizeUrl(kl, client, params));
    expect(response.status).toBe(303);
    return new URL(response.location!);
  }

  test('refuses an authorization request without PKCE', async () => {
    const callback = await authorizeError({});
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/i);
    expect(callback.searchParams.get('iss')).toBe(kl.url);
  });

  test('refuses the plain PKCE method', async () => {
    const { verifier } = pkcePair();
    const callback = await authorizeError({ code_challenge: verifier, code_challenge_method: 'plain' });
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/code_challenge_method/);
  });

  test('refuses the implicit response type', async () => {
    const { challenge } = pkcePair();
    const callback = await authorizeError({ response_type: 'id_token', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(callback.searchParams.get('error') ?? new URLSearchParams(callback.hash.slice(1)).get('error')).toBe('unsupported_response_type');
  });

  test('refuses a redirect URI that does not match exactly, without redirecting to it', async () => {
    const { challenge } = pkcePair();
    const response = await new BrowserLikeClient().get(authorizeUrl(kl, client, {
      redirect_uri: `${client.redirectUri}/extra`, code_challenge: challenge, code_challenge_method: 'S256',
    }));
    expect(response.status).toBe(400);
    expect(response.location).toBeUndefined();
    expect(response.text).toContain('redirect_uri');
    expect(response.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  test('refuses a wrong PKCE verifier with invalid_grant', async () => {
    const signedIn = await signIn(kl, client, user);
    const tokens = await exchangeCode(kl, client, { code: signedIn.code, verifier: pkcePair().verifier });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error).toBe('invalid_grant');
  });

  test('refuses a code redeemed with another redirect URI', async () => {
    const signedIn = await signIn(kl, client, user);
    const tokens = await tokenRequest(kl, client, {
      grant_type: 'authorization_code', code: signedIn.code, code_verifier: signedIn.verifier, redirect_uri: 'http://127.0.0.1:9/other',
    });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error).toBe('invalid_grant');
  });

  test('refuses a reused code and revokes the tokens issued from it', async () => {
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const first = await exchangeCode(kl, client, signedIn);
    expect(first.status).toBe(200);
    expect((await introspect(kl, client, String(first.body.access_token))).active).toBe(true);

    const second = await exchangeCode(kl, client, signedIn);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect((await introspect(kl, client, String(first.body.access_token))).active).toBe(false);
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  test('a public client is refused at the token endpoint without its verifier', async () => {
    const publicClient = await registerTestClient(kl, { isPublic: true });
    const signedIn = await signIn(kl, publicClient, user);
    const tokens = await tokenRequest(kl, publicClient, { grant_type: 'authorization_code', code: signedIn.code, redirect_uri: publicClient.redirectUri });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error).toBe('invalid_grant');
  });

  test('a confidential client registered with optional PKCE may omit it', async () => {
    const relaxed = await registerTestClient(kl, { pkceOptional: true });
    const browser = new BrowserLikeClient();
    const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, relaxed, { nonce: 'n1', state: 's1' })));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in');
  });
});

import { startKeyline } from '../support/start-keyline.ts';
import { basicAuth, createTestUser, exchangeCode, introspect, registerTestClient, signIn, tokenRequest } from '../support/oidc-flow.ts';

test('no password, client secret, code, token or cookie value reaches the logs', async () => {
  const kl = await startKeyline({ logLevel: 'trace' });
  try {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const tokens = await exchangeCode(kl, client, signedIn);
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) });
    await introspect(kl, client, String(refreshed.body.access_token));
    await fetch(`${kl.url}/session/end?id_token_hint=${tokens.body.id_token}`);
    // a failed login and a bad client secret are logged too
    await tokenRequest(kl, { ...client, clientSecret: 'wrong-secret-value-123' }, { grant_type: 'client_credentials' });

    const secrets = [
      user.password, client.clientSecret!, basicAuth(client), signedIn.code, signedIn.verifier, 'wrong-secret-value-123',
      ...['access_token', 'refresh_token', 'id_token'].map((name) => String(tokens.body[name])),
      String(refreshed.body.access_token), String(refreshed.body.refresh_token),
      ...(await signedIn.browser.jar.getCookies(kl.url)).map((cookie) => cookie.value),
    ];
    const logs = kl.logs.join('');
    expect(kl.logs.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs).not.toContain(secret);
    }
  } finally {
    await kl.stop();
  }
});

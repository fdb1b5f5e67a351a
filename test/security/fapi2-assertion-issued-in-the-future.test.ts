/**
 * Issue 19, item 18 (review): FAPI 2.0 SP 5.3.2.1-2.13 has the authorization server reject a JWT
 * whose `iat` or `nbf` is more than 60 s in the future (and accept up to 10 s of skew). oidc-provider
 * refuses a future `nbf` (beyond its 15 s clock tolerance) but reads `iat` only when there is no
 * `exp`, so a fapi2 client's assertion dated two minutes ahead was accepted at PAR and at the token
 * endpoint. Such an assertion is now refused for clients held to the profile; 8 s of skew still passes.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { allBackends, type Backend } from '../support/backends.ts';
import { clientKey, type ClientKey } from '../support/client-keys.ts';
import { addFapi2Client, ASSERTION_TYPE } from '../support/fapi2-client.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { pkcePair, REDIRECT_URI } from '../support/oidc-flow.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = await allBackends();
afterAll(stopMongoTestServer);

const key: ClientKey = await clientKey('fapi-future-key');

describe.each(backends)('a FAPI 2.0 client assertion dated ahead on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let clientId: string;
  const files = temporaryDirectory();

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend));
    clientId = String((await addFapi2Client(kl, key, files.path)).client_id);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
    files.remove();
  });

  /** An assertion whose `iat` is `ahead` seconds from now, valid for a minute after that. */
  function assertionIssuedIn(ahead: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
      .setIssuer(clientId).setSubject(clientId).setAudience(kl.url)
      .setIssuedAt(now + ahead).setExpirationTime(now + ahead + 60)
      .sign(key.privateKey);
  }

  async function post(path: string, form: Record<string, string>, ahead: number): Promise<Response> {
    return fetch(`${kl.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertionIssuedIn(ahead), ...form }).toString(),
    });
  }

  const pushed = () => ({
    response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
  });

  test('issued two minutes ahead: refused at PAR and at the token endpoint', async () => {
    const par = await post('/request', pushed(), 120);
    expect(par.status).toBe(401);
    expect((await par.json() as { error: string }).error).toBe('invalid_client');
    const token = await post('/token', { grant_type: 'refresh_token', refresh_token: 'irrelevant' }, 120);
    expect(token.status).toBe(401);
    expect((await token.json() as { error: string }).error).toBe('invalid_client');
  });

  test('issued 8 s ahead (clock skew): accepted', async () => {
    expect((await post('/request', pushed(), 8)).status).toBe(201);
  });
});

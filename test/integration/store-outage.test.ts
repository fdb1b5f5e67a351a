import { startFerretDb, uniqueDatabaseUrl, type FerretDbServer } from '../support/mongo-server.ts';
import { migrateMongo } from '../../src/store/mongo/mongo-indexes.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import {
  authorizeUrl, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn, tokenRequest, type TestClient,
} from '../support/oidc-flow.ts';

// Needs a server it can stop and start again, so it always runs a FerretDB of its own.
let ferret: FerretDbServer;
let kl: RunningKeyline;
let machine: TestClient;

beforeAll(async () => {
  ferret = await startFerretDb();
  const databaseUrl = uniqueDatabaseUrl(ferret.url);
  await migrateMongo(databaseUrl);
  const options = new URLSearchParams({ maxPoolSize: '1', serverSelectionTimeoutMS: '1000' });
  kl = await startKeyline({ store: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}${options}` });
  machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: '' });
});
afterAll(async () => {
  await kl?.stop();
  await ferret.stop({ removeData: true });
});

test('while MongoDB is down requests answer 503 with an OAuth error, /readyz says not ready, and service resumes after', async () => {
  const client = await registerTestClient(kl);
  const user = await createTestUser(kl);
  const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
  const issued = await exchangeCode(kl, client, signedIn);
  expect(issued.status).toBe(200);

  await ferret.stop();
  try {
    // A refresh always reads the store. (A client_credentials JWT needs no store write, so with the
    // client still cached it may be issued during an outage; that is availability, not a fault.)
    const token = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token) });
    expect(token.status).toBe(503);
    expect(token.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/unreachable/) });
    expect(token.headers.get('retry-after')).toBeTruthy();

    // A valid authorization request: starting its interaction needs the store. (Client metadata may
    // still come from the cache, so a request refused on its parameters alone could be answered.)
    const page = await fetch(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), {
      headers: { accept: 'text/html' }, redirect: 'manual',
    });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('unavailable right now');
    expect(html).not.toMatch(/\n\s+at |node_modules|mongodb:\/\//);

    const ready = await fetch(`${kl.url}/readyz`);
    expect(ready.status).toBe(503);
  } finally {
    ferret = await startFerretDb({ port: ferret.port, dataDirectory: ferret.dataDirectory });
  }

  let ready = 503;
  for (let attempt = 0; attempt < 50 && ready !== 200; attempt += 1) {
    ready = (await fetch(`${kl.url}/readyz`)).status;
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(ready).toBe(200);
  expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials' })).status).toBe(200);
  // what was written before the outage is still there
  const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token) });
  expect(refreshed.status).toBe(200);
});

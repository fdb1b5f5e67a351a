import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { registerTestClient, tokenRequest } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl } = ready); });

interface LogRecord { msg: string; requestId?: string; path?: string; status?: number; error?: string; clientId?: string }

const records = () => kl.logs.map((text) => JSON.parse(text) as LogRecord);

/** Waits for the asynchronous logger to write what was asked for before `marker`'s line. */
async function logsUpTo(markerId: string): Promise<LogRecord[]> {
  await fetch(`${kl.url}/healthz`, { headers: { 'x-request-id': markerId } });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (records().some((record) => record.requestId === markerId)) return records();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request line for ${markerId}`);
}

test('at info, successful machine requests leave no request line; their failures and the token events do', async () => {
  const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [] });
  const ok = { 'x-request-id': 'quiet-jwks' };
  expect((await fetch(`${kl.url}/jwks`, { headers: ok })).status).toBe(200);
  expect((await fetch(`${kl.url}/jwks`, { headers: ok })).status).toBe(200); // the second is answered ahead of Koa
  expect((await fetch(`${kl.url}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'quiet-discovery' } })).status).toBe(200);
  const issued = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'quiet-token', authorization: `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  expect(issued.status).toBe(200);
  const refused = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'loud-token' },
    body: `grant_type=client_credentials&client_id=${machine.clientId}&client_secret=wrong`,
  });
  expect(refused.status).toBe(401);
  expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials' })).status).toBe(200);

  const logged = await logsUpTo('quiet-marker');
  const requestLines = logged.filter((record) => record.msg === 'request');
  expect(requestLines.filter((line) => ['quiet-jwks', 'quiet-discovery', 'quiet-token'].includes(line.requestId!))).toEqual([]);
  expect(requestLines.find((line) => line.requestId === 'loud-token')).toMatchObject({ path: '/token', status: 401, error: 'invalid_client' });
  expect(logged.find((record) => record.msg === 'token.issued' && record.requestId === 'quiet-token')).toMatchObject({ clientId: machine.clientId });
  expect(requestLines.find((line) => line.requestId === 'quiet-marker')).toMatchObject({ path: '/healthz', status: 200 });
});

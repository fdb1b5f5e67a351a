import { sqliteBackend } from '../support/backends.ts';
import { startInternalService, type InternalService } from '../support/internal-service.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { addRedirectUpstream, pressUpstreamButton } from '../support/upstream-sign-in.ts';

/**
 * An upstream's URLs are an administrator's, but a typo, a compromised admin token or a DNS answer
 * can point them inside the network Keyline runs in: its discovery and token calls go through the
 * one guarded outbound fetch, which refuses loopback and private addresses unless
 * outbound.allowPrivateNetworks is on. The person gets Keyline's error page, the internal service
 * is never called, and the log says why.
 */
let kl: RunningKeyline;
let client: TestClient;
let internal: InternalService;

useKeyline(sqliteBackend, {}, async (ready) => {
  ({ kl, client } = ready);
  internal = await startInternalService();
  const inside = internal.url;
  await addRedirectUpstream(kl, { id: 'inside', settings: { issuer: inside, clientId: 'k' } }, { clientSecret: 's' });
  await addRedirectUpstream(kl, {
    id: 'inside-oauth', type: 'oauth2',
    settings: { authorizationEndpoint: 'https://github.example/authorize', tokenEndpoint: `${inside}/token`, userinfoEndpoint: `${inside}/user`, clientId: 'k' },
  }, { clientSecret: 's' });
});
afterAll(() => internal?.close());

test('an oidc upstream whose issuer is a loopback address: the error page, no request made', async () => {
  const { started } = await pressUpstreamButton(kl, client, 'inside');
  expect(started.status).toBe(502);
  expect(started.location).toBeUndefined();
  expect(internal.hits()).toBe(0);
  expect(kl.logs.join('\n')).toMatch(/outbound guard refused/);
});

test('an oauth2 upstream whose token endpoint is a loopback address: the answer comes back, the code is never sent inside', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'inside-oauth');
  expect(started.status).toBe(303);
  const state = new URL(started.location!).searchParams.get('state')!;
  const handedOver = await browser.get(`${kl.url}/federation/inside-oauth/callback?code=stolen&state=${state}`);
  const landed = await browser.get(handedOver.location!);
  expect(landed.status).toBe(502);
  expect(internal.hits()).toBe(0);
});

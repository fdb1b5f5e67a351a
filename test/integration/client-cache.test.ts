import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { registerTestClient, tokenRequest } from '../support/oidc-flow.ts';
import { openStore } from '../../src/store/open-store.ts';
import { generateClientSecret, hashClientSecret } from '../../src/oidc/client-secrets.ts';

let kl: RunningKeyline;
beforeAll(async () => { kl = await startKeyline(); });
afterAll(() => kl.stop());

test('a client changed by another process (the CLI) is seen by the running server within its recheck interval', async () => {
  const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: '' });
  expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials' })).status).toBe(200);

  // A second connection to the same file, as `keyline clients rotate-secret` would open.
  const other = await openStore(kl.config);
  const secret = generateClientSecret();
  const record = (await other.clients.find(machine.clientId))!;
  await other.clients.update(machine.clientId, { ...record.metadata, client_secret: hashClientSecret(secret) });
  await other.close();
  await new Promise((resolve) => setTimeout(resolve, 300));

  expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials' })).status).toBe(401);
  expect((await tokenRequest(kl, { ...machine, clientSecret: secret }, { grant_type: 'client_credentials' })).status).toBe(200);
});

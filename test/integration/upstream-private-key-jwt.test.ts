import { decodeJwt, exportPKCS8, generateKeyPair } from 'jose';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

/** `--auth-method private_key_jwt`: Keyline authenticates to the upstream with an assertion signed by the operator's key, and sends no shared secret. */
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  const pair = await generateKeyPair('ES256', { extractable: true });
  op = await startUpstreamOp({
    clients: [{ client_id: 'keyline-jwt', redirect_uris: [upstreamCallbackUrl(kl.url, 'corp')], assertionKey: pair.publicKey }],
    accounts: [{ sub: 'bob', claims: { email: 'bob@corp.test', email_verified: true } }],
  });
  op.signInAs('bob');
  await addRedirectUpstream(kl, { id: 'corp', settings: { issuer: op.issuer, clientId: 'keyline-jwt', authMethod: 'private_key_jwt' } }, { privateKey: await exportPKCS8(pair.privateKey) });
});
afterAll(() => op?.close());

test('the token request carries a client assertion the upstream verifies, and no secret', async () => {
  const { code } = await signInThroughUpstream(kl, client, 'corp', op.issuer);
  expect(code).not.toBeNull();
  const { form, authorization } = op.tokenRequests.at(-1)!;
  expect(authorization).toBeUndefined();
  expect(form.client_secret).toBeUndefined();
  expect(form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  expect(decodeJwt(form.client_assertion!)).toMatchObject({ iss: 'keyline-jwt', sub: 'keyline-jwt' });
});

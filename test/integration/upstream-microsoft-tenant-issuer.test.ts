import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Microsoft's multi-tenant endpoint (`organizations`, `common`) publishes an issuer with
 * `{tenantid}` in it: each id_token's `iss` is its own tenant's, and must be exactly the template
 * filled with the token's `tid`. The stand-in upstream plays that endpoint (its discovery names the
 * template and does not advertise RFC 9207's `iss` parameter, as Entra ID's does not).
 */
let kl: RunningKeyline;
let client: TestClient;
let entra: UpstreamOp;
const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
// Entra ID puts oid in the id_token; oidc-provider gives out only claims of a scope, so the stand-in adds it.
const OID = '00000000-0000-0000-66f3-3332eca7ea81';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  entra = await startUpstreamOp({
    clients: [{ client_id: 'keyline-app', client_secret: 's', redirect_uris: [upstreamCallbackUrl(kl.url, 'microsoft')] }],
    accounts: [{ sub: 'pairwise-sub', claims: { email: 'ann@contoso.test', name: 'Ann' } }],
    idTokenClaims: 'all',
    discovery: (issuer) => ({ issuer: `${issuer}/{tenantid}/v2.0`, authorization_response_iss_parameter_supported: null }),
  });
  entra.signInAs('pairwise-sub');
  await addRedirectUpstream(kl, {
    id: 'microsoft', preset: 'microsoft',
    settings: { issuer: entra.issuer, issuerTemplate: `${entra.issuer}/{tenantid}/v2.0`, clientId: 'keyline-app', claims: { subject: 'oid', email: 'email', emailVerified: null } },
  }, { clientSecret: 's' });
});
afterAll(() => entra?.close());

function answerAsTenant(tid: string | undefined, issuerTenant: string): void {
  entra.behave();
  entra.misbehave({ authorizationIss: null, idTokenIss: `${entra.issuer}/${issuerTenant}/v2.0`, idTokenClaims: { oid: OID, ...(tid === undefined ? {} : { tid }) } });
}

test('an id_token whose iss is its own tid\'s tenant signs in, linked by oid', async () => {
  answerAsTenant(TENANT, TENANT);
  const { code } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).not.toBeNull();
  expect(await kl.store.federatedIdentities.find('microsoft', OID)).toBeDefined();
});

test.each([
  ['an iss of another tenant than its tid', OTHER_TENANT, TENANT],
  ['no tid at all', undefined, TENANT],
  ['the template itself as iss', TENANT, '{tenantid}'],
])('refused: %s', async (_name, tid, issuerTenant) => {
  answerAsTenant(tid, issuerTenant);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
});

import { sqliteBackend } from '../support/backends.ts';
import { answerAsTenant, ENTRA_OID, stagedEntraUpstream } from '../support/entra-stand-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { signInThroughUpstream } from '../support/upstream-sign-in.ts';

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
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  entra = await stagedEntraUpstream(kl, '{tenantid}');
});
afterAll(() => entra?.close());

test('an id_token whose iss is its own tid\'s tenant signs in, linked by oid', async () => {
  answerAsTenant(entra, TENANT, TENANT);
  const { code } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).not.toBeNull();
  expect(await kl.store.federatedIdentities.find('microsoft', ENTRA_OID)).toBeDefined();
});

test.each([
  ['an iss of another tenant than its tid', OTHER_TENANT, TENANT],
  ['no tid at all', undefined, TENANT],
  ['the template itself as iss', TENANT, '{tenantid}'],
])('refused: %s', async (_name, tid, issuerTenant) => {
  answerAsTenant(entra, tid, issuerTenant);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
});

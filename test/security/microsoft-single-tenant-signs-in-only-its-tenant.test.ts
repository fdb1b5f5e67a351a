import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

/**
 * The Microsoft preset keeps its multi-tenant issuer template whatever `--tenant` says, but a
 * single tenant's discovery (`.../<tenant>/v2.0`, or a domain that resolves to it) names that
 * tenant's own issuer, not the template. Keyline refused that document, so the configuration a
 * company uses to admit only its own staff could not sign anyone in, which leaves `organizations`
 * (every Entra ID tenant in the world) as the only one that works. A discovery document naming one
 * tenant now pins the upstream to exactly that tenant's issuer: its people sign in, and an id_token
 * of any other tenant (whose iss and tid agree with each other, as the template alone would accept)
 * is refused. The stand-in upstream plays the tenant's endpoint.
 */
let kl: RunningKeyline;
let client: TestClient;
let entra: UpstreamOp;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const OID = '00000000-0000-0000-66f3-3332eca7ea81';

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  entra = await startUpstreamOp({
    clients: [{ client_id: 'keyline-app', client_secret: 's', redirect_uris: [upstreamCallbackUrl(kl.url, 'microsoft')] }],
    accounts: [{ sub: 'pairwise-sub', claims: { email: 'ann@contoso.test', name: 'Ann' } }],
    idTokenClaims: 'all',
    discovery: (issuer) => ({ issuer: `${issuer}/${TENANT}/v2.0`, authorization_response_iss_parameter_supported: null }),
  });
  entra.signInAs('pairwise-sub');
  await addRedirectUpstream(kl, {
    id: 'microsoft', preset: 'microsoft',
    settings: { issuer: entra.issuer, issuerTemplate: `${entra.issuer}/{tenantid}/v2.0`, clientId: 'keyline-app', claims: { subject: 'oid', email: 'email', emailVerified: null } },
  }, { clientSecret: 's' });
});
afterAll(() => entra?.close());

function answerAsTenant(tenant: string): void {
  entra.behave();
  entra.misbehave({ authorizationIss: null, idTokenIss: `${entra.issuer}/${tenant}/v2.0`, idTokenClaims: { oid: OID, tid: tenant } });
}

test('a person of the configured tenant signs in', async () => {
  answerAsTenant(TENANT);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(final.status).toBe(303);
  expect(code).not.toBeNull();
  expect(await kl.store.federatedIdentities.find('microsoft', OID)).toBeDefined();
});

test('an id_token of another tenant, its iss and tid agreeing, is refused', async () => {
  answerAsTenant(OTHER_TENANT);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
});

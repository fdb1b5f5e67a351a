import { sqliteBackend } from '../support/backends.ts';
import { answerAsTenant, ENTRA_OID, stagedEntraUpstream } from '../support/entra-stand-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { signInThroughUpstream } from '../support/upstream-sign-in.ts';

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

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  entra = await stagedEntraUpstream(kl, TENANT);
});
afterAll(() => entra?.close());

test('a person of the configured tenant signs in', async () => {
  answerAsTenant(entra, TENANT, TENANT);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(final.status).toBe(303);
  expect(code).not.toBeNull();
  expect(await kl.store.federatedIdentities.find('microsoft', ENTRA_OID)).toBeDefined();
});

test('an id_token of another tenant, its iss and tid agreeing, is refused', async () => {
  answerAsTenant(entra, OTHER_TENANT, OTHER_TENANT);
  const { code, final } = await signInThroughUpstream(kl, client, 'microsoft', entra.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
});

import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import type { RunningKeyline } from './start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from './upstream-op.ts';
import { addRedirectUpstream } from './upstream-sign-in.ts';

// Entra ID puts oid in the id_token; oidc-provider gives out only claims of a scope, so the stand-in adds it.
export const ENTRA_OID = '00000000-0000-0000-66f3-3332eca7ea81';

/**
 * The stand-in upstream playing Entra ID, registered on `kl` as upstream `microsoft` the way the
 * Microsoft preset leaves it (the multi-tenant issuer template, linked by oid, email never
 * verified). Its discovery names `<issuer>/<tenant>/v2.0`: `{tenantid}` for the multi-tenant
 * endpoint (organizations, common), a tenant id for one tenant's; neither advertises RFC 9207's
 * `iss` parameter, as Entra ID's do not.
 */
export async function stagedEntraUpstream(kl: RunningKeyline, tenant: string): Promise<UpstreamOp> {
  const entra = await startUpstreamOp({
    clients: [{ client_id: 'keyline-app', client_secret: 's', redirect_uris: [upstreamCallbackUrl(kl.url, 'microsoft')] }],
    accounts: [{ sub: 'pairwise-sub', claims: { email: 'ann@contoso.test', name: 'Ann' } }],
    idTokenClaims: 'all',
    discovery: (issuer) => ({ issuer: `${issuer}/${tenant}/v2.0`, authorization_response_iss_parameter_supported: null }),
  });
  entra.signInAs('pairwise-sub');
  await addRedirectUpstream(kl, {
    id: 'microsoft', preset: 'microsoft',
    settings: { issuer: entra.issuer, issuerTemplate: `${entra.issuer}/{tenantid}/v2.0`, clientId: 'keyline-app', claims: { subject: 'oid', email: 'email', emailVerified: null } },
  }, { clientSecret: 's' });
  return entra;
}

/** The next id_tokens carry this tid (none when undefined) and the issuer of `issuerTenant`. */
export function answerAsTenant(entra: UpstreamOp, tid: string | undefined, issuerTenant: string): void {
  entra.behave();
  entra.misbehave({ authorizationIss: null, idTokenIss: `${entra.issuer}/${issuerTenant}/v2.0`, idTokenClaims: { oid: ENTRA_OID, ...(tid === undefined ? {} : { tid }) } });
}

import type { UpstreamRecord } from '../../src/store/store.ts';
import type { RunningKeyline } from './start-keyline.ts';

/**
 * Upstreams written straight to the store, as `keyline upstreams add` would leave them, for tests of
 * the login page: the page reads only id, name, type, preset and enabled. Issuers point at 127.0.0.1's
 * discard port, so a connector that does try them reaches nothing outside this machine.
 */
export async function addUpstream(kl: RunningKeyline, fields: Partial<UpstreamRecord> & Pick<UpstreamRecord, 'id' | 'name'>): Promise<UpstreamRecord> {
  const now = new Date();
  const upstream: UpstreamRecord = {
    type: 'oidc', enabled: true, preset: null, settings: { issuer: 'http://127.0.0.1:9', clientId: 'keyline' }, sealedSecrets: {},
    domains: [], provisioning: 'create', sync: 'always', trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false,
    createdAt: now, updatedAt: now, ...fields,
  };
  await kl.store.upstreams.create(upstream);
  return upstream;
}

/** Three upstreams a product team would offer: Google and GitHub from their presets, and a company's own OpenID Provider. */
export async function addThreeUpstreams(kl: RunningKeyline): Promise<void> {
  await addUpstream(kl, { id: 'google', name: 'Google', preset: 'google' });
  await addUpstream(kl, { id: 'github', name: 'GitHub', preset: 'github', type: 'oauth2', settings: { clientId: 'keyline' } });
  await addUpstream(kl, { id: 'acme', name: 'Acme Corp SSO' });
}

/**
 * The exactly-once case over HTTP: 50 browsers sign in at once through a real upstream
 * (the stand-in OpenID Provider) as one and the same person who has no Keyline account yet — on
 * SQLite, on the MongoDB wire, and through three Keyline processes on one store behind a
 * round-robin proxy. Exactly one account and one link come of it, and every browser is signed in to it.
 */
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { federatedAccountId } from '../../src/federation/federated-account-id.ts';
import { integrationBackends, type Backend } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient } from '../support/oidc-flow.ts';
import { startUpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

const RACERS = 50;
const backends = await integrationBackends();
afterAll(stopMongoTestServer);

test.each(backends.map((backend) => [backend.name, backend] as [string, Backend]))(
  `${RACERS} concurrent first sign-ins of one upstream identity on %s: one account, one link`,
  async (_name, backend) => {
    const { kl, cleanup } = await startOnBackend(backend, { config: { outbound: { allowPrivateNetworks: true } } });
    const op = await startUpstreamOp({
      clients: [{ client_id: 'keyline-acme', client_secret: 'secret-acme', redirect_uris: [upstreamCallbackUrl(kl.url, 'acme')] }],
      accounts: [{ sub: 'everyone-at-once', claims: { email: 'crowd@acme.test', email_verified: true, name: 'The Crowd' } }],
    });
    try {
      const client = await registerTestClient(kl);
      await addRedirectUpstream(kl, { id: 'acme', settings: { issuer: op.issuer, clientId: 'keyline-acme', scopes: ['openid', 'email', 'profile'] } }, { clientSecret: 'secret-acme' });
      op.signInAs('everyone-at-once');
      const results = await Promise.all(Array.from({ length: RACERS }, () => signInThroughUpstream(kl, client, 'acme', op.issuer)));
      expect(results.map((result) => (result.code ? 'signed in' : `${result.final.status} ${result.final.text.slice(0, 120)}`)))
        .toEqual(Array.from({ length: RACERS }, () => 'signed in'));
      const accounts = (await kl.store.accounts.list()).filter((account) => account.email === 'crowd@acme.test');
      expect(accounts.map((account) => account.id)).toEqual([federatedAccountId('acme', 'everyone-at-once')]);
      expect((await kl.store.federatedIdentities.listByAccount(accounts[0]!.id)).map((link) => link.subject)).toEqual(['everyone-at-once']);
      const created = await kl.store.audit.query({ type: 'federation.account_created', limit: 100 });
      expect(created).toHaveLength(1);
      if (backend.nodes) expect((kl as { requestsPerNode?: () => number[] }).requestsPerNode!().every((count) => count > 0)).toBe(true);
    } finally {
      await op.close();
      await kl.stop();
      await cleanup();
    }
  },
  // Three processes and 50 round trips through the stand-in on a shared two-core machine: no assertion on time.
  180_000,
);

/**
 * 50 concurrent first sign-ins of one upstream identity, spread over three Keyline nodes on one
 * store, on each backend: exactly one account and one link, and no orphan account from a lost race.
 * (Drives the one resolution every upstream step ends in, completeUpstreamSignIn's, on the nodes'
 * own accounts service and store.)
 */
import { allBackends, type Backend, type StoreLocation } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { resolveUpstreamAccount } from '../../src/federation/upstream-account.ts';
import { federatedAccountId } from '../../src/federation/federated-account-id.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';
import type { UpstreamIdentity } from '../../src/federation/upstream.ts';

const RACERS = 50;
const backends = await allBackends();
afterAll(stopMongoTestServer);

function upstreamRecord(provisioning: UpstreamRecord['provisioning']): UpstreamRecord {
  const now = new Date();
  return {
    id: 'acme', name: 'Acme', type: 'oidc', enabled: true, preset: null, settings: {}, sealedSecrets: {}, domains: [],
    provisioning, sync: 'always', trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false, createdAt: now, updatedAt: now,
  };
}

describe.each(backends.map((backend) => [backend.name, backend] as [string, Backend]))('on %s, three nodes on one store', (_name, backend) => {
  let location: StoreLocation;
  let nodes: RunningKeyline[];

  beforeAll(async () => {
    location = await backend.create();
    nodes = [];
    for (let index = 0; index < 3; index += 1) nodes.push(await startKeyline({ store: location.location }));
  });
  afterAll(async () => {
    for (const node of nodes) await node.stop({ keepStore: true });
    await location.cleanup();
  });

  test(`${RACERS} concurrent first sign-ins of one identity make exactly one account and one link`, async () => {
    const upstream = upstreamRecord('create');
    const identity: UpstreamIdentity = { subject: 'racer-1', email: 'Racer@Example.test', emailVerified: true, claims: {} };
    const outcomes = await Promise.all(Array.from({ length: RACERS }, (_, index) => {
      const node = nodes[index % 3]!;
      return resolveUpstreamAccount({ store: node.store, accounts: node.keyline.accounts }, upstream, identity);
    }));
    const accountIds = new Set(outcomes.map((outcome) => (outcome.kind === 'account' ? outcome.account.id : outcome.kind)));
    expect([...accountIds]).toEqual([federatedAccountId('acme', 'racer-1')]);
    expect(outcomes.filter((outcome) => outcome.kind === 'account' && outcome.accountCreated)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'account' && outcome.linkCreated)).toHaveLength(1);
    const store = nodes[0]!.store;
    const accounts = await store.accounts.list();
    expect(accounts.map((account) => account.email)).toEqual(['racer@example.test']);
    expect((await store.federatedIdentities.listByAccount(accounts[0]!.id)).map((link) => link.subject)).toEqual(['racer-1']);
    // It has no password: no password signs in to it, not even an empty one.
    expect(await nodes[1]!.keyline.accounts.authenticate('racer@example.test', '')).toBeUndefined();
  });

  test('a local account with the email at the same time: no orphan link, and the identity must prove that account', async () => {
    const upstream = upstreamRecord('create');
    const identity: UpstreamIdentity = { subject: 'racer-2', email: 'local@example.test', emailVerified: true, claims: {} };
    const [, ...outcomes] = await Promise.all([
      nodes[0]!.keyline.accounts.create('local@example.test', 'a long local password 1').catch(() => undefined),
      ...Array.from({ length: 10 }, (_, index) => resolveUpstreamAccount({ store: nodes[index % 3]!.store, accounts: nodes[index % 3]!.keyline.accounts }, upstream, identity)),
    ]);
    const local = await nodes[0]!.store.accounts.findByEmail('local@example.test');
    const link = await nodes[0]!.store.federatedIdentities.find('acme', 'racer-2');
    // Either the upstream won the address (then the local sign-up was refused) or the local account did (then no link, proof needed).
    if (local!.id === federatedAccountId('acme', 'racer-2')) {
      expect(link?.accountId).toBe(local!.id);
    } else {
      expect(link).toBeUndefined();
      expect(outcomes.every((outcome) => outcome.kind === 'prove-local-account')).toBe(true);
    }
  });
});

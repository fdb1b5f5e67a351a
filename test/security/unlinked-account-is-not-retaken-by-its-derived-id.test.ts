/**
 * A just-in-time account's id is derived from (upstream, subject). Once its link is removed (the
 * person or an administrator unlinked it, or the upstream was removed and added again, perhaps as
 * another provider whose subjects collide), a sign-in of that (upstream, subject) must not land in
 * the account again through its id: under another address (an account's address cannot change
 * here, but the upstream's can; another provider's subject is another person), rule 2 (prove the
 * account) does not apply, and provisioning found the old account under the derived id and signed
 * in to it, undoing the unlink.
 */
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { addStandInUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  kl = ready.kl;
  client = await registerTestClient(kl, { scopes: 'openid profile email' });
  op = await addStandInUpstream(kl, 'acme', [{ sub: '1001', claims: { email: 'ada@acme.test', email_verified: true } }]);
});
afterAll(async () => {
  await op?.close();
});

test('after an administrator removed the link, the same subject under a new address gets no way back into the account', async () => {
  op.signInAs('1001');
  expect((await signInThroughUpstream(kl, client, 'acme', op.issuer)).code).not.toBeNull();
  const account = (await kl.store.accounts.findByEmail('ada@acme.test'))!;
  // Off-boarding: an administrator removes the link; the upstream account's address changes.
  expect(await kl.store.federatedIdentities.remove('acme', '1001')).toBe(true);
  op.signInAs('1001');
  op.misbehave({ idTokenClaims: { email: 'ada.lovelace@acme.test', email_verified: true } });
  const again = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  op.behave();
  expect(again.code).toBeNull();
  expect(again.final.status).toBe(403);
  expect(await kl.store.federatedIdentities.listByAccount(account.id)).toEqual([]);
});

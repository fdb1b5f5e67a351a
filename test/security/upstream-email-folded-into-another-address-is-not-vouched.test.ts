/**
 * Keyline keys accounts by the lower-cased address, and JavaScript's lower-casing folds the Kelvin
 * sign (U+212A) into an ASCII "k". An upstream that verified "\u212Aate@acme.test" vouched for that
 * address, not for kate@acme.test: the vouching must not carry over to the folded address, which
 * would make a just-in-time account that downstream clients are told has kate's verified address,
 * or send the sign-in to the link step of kate's account as if the upstream had vouched for it.
 */
import { decodeJwt } from 'jose';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { exchangeCode, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { addStandInUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  kl = ready.kl;
  client = await registerTestClient(kl, { scopes: 'openid profile email' });
  op = await addStandInUpstream(kl, 'acme', [
    { sub: 'kelvin-new', claims: { email: '\u212Aate@acme.test', email_verified: true } },
    { sub: 'kelvin-existing', claims: { email: '\u212Aim@acme.test', email_verified: true } },
  ]);
});
afterAll(async () => {
  await op?.close();
});

test('a just-in-time account under the folded address is not marked verified, nor told so to clients', async () => {
  op.signInAs('kelvin-new');
  const signIn = await signInThroughUpstream(kl, client, 'acme', op.issuer, { scope: 'openid email' });
  expect(signIn.code).not.toBeNull();
  expect((await kl.store.accounts.findByEmail('kate@acme.test'))?.emailVerified).toBe(false);
  const tokens = await exchangeCode(kl, client, { code: signIn.code!, verifier: signIn.verifier });
  expect(decodeJwt(String(tokens.body.id_token)).email_verified).not.toBe(true);
});

test('an existing account under the folded address is not offered for linking: unvouched, it is refused', async () => {
  await kl.keyline.accounts.create('kim@acme.test', 'kim has her own password');
  op.signInAs('kelvin-existing');
  const signIn = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(signIn.final.location ?? '').not.toContain('/upstream-link');
  expect(signIn.final.status).toBe(403);
});

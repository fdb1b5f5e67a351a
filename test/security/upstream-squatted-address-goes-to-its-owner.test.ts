/**
 * Pre-hijacking through an upstream that does not vouch for addresses (people type any address
 * there): its `create` provisioning makes an account under someone else's address, linked to the
 * squatter's upstream identity. When the address's owner later proves the mailbox (a password
 * reset, or signing up and following the verification link), the owner takes the account over as
 * from an unverified local sign-up: the squatter's link goes, so the squatter cannot sign in to the
 * account the owner now uses.
 */
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { attemptLogin, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { UpstreamOp } from '../support/upstream-op.ts';
import { addStandInUpstream, signInThroughUpstream } from '../support/upstream-sign-in.ts';

const OWNER = 'the owner chose this one';
const smtp = useSmtpServer();
let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;

useKeyline(sqliteBackend, {
  config: { outbound: { allowPrivateNetworks: true }, mail: smtp.mail, registration: { enabled: true }, jobs: { retryBase: 0.3, retryMax: 1, pollInterval: 0.2 } },
}, async (ready) => {
  kl = ready.kl;
  client = await registerTestClient(kl, { scopes: 'openid profile email' });
  op = await addStandInUpstream(kl, 'typed', [
    { sub: 'squatter-1', claims: { email: 'owner-1@example.test', email_verified: false } },
    { sub: 'squatter-2', claims: { email: 'owner-2@example.test', email_verified: false } },
  ], { name: 'Type Any Address' });
});
afterAll(async () => {
  await op?.close();
});

const linkPath = (link: string) => new URL(link).pathname + new URL(link).search;

async function squat(sub: string, email: string): Promise<string> {
  op.signInAs(sub);
  expect((await signInThroughUpstream(kl, client, 'typed', op.issuer)).code).not.toBeNull();
  const account = (await kl.store.accounts.findByEmail(email))!;
  expect(account.emailVerified).toBe(false);
  return account.id;
}

async function expectSquatterLockedOut(sub: string, email: string, accountId: string): Promise<void> {
  expect(await kl.store.federatedIdentities.listByAccount(accountId)).toEqual([]);
  op.signInAs(sub);
  expect((await signInThroughUpstream(kl, client, 'typed', op.issuer)).code).toBeNull();
  expect((await attemptLogin(kl, client, email, OWNER)).status).toBe(303);
}

test("the owner's password reset takes the squatted account over: the squatter's link goes", async () => {
  const email = 'owner-1@example.test';
  const accountId = await squat('squatter-1', email);
  await submitSelfServiceForm(kl, '/password/forgot', { email });
  const { answer } = await submitSelfServiceForm(kl, linkPath((await smtp.server().nextMailTo(email)).link!), { password: OWNER });
  expect(answer.status).toBe(200);
  await expectSquatterLockedOut('squatter-1', email, accountId);
});

test("the owner's sign-up and its verification link take the squatted account over", async () => {
  const email = 'owner-2@example.test';
  const accountId = await squat('squatter-2', email);
  await submitSelfServiceForm(kl, '/sign-up', { email, name: '', password: OWNER });
  const { answer } = await submitSelfServiceForm(kl, linkPath((await smtp.server().nextMailTo(email)).link!), { password: OWNER });
  expect(answer.status).toBe(200);
  await expectSquatterLockedOut('squatter-2', email, accountId);
});

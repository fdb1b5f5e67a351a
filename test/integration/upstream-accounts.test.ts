/**
 * Accounts through a real upstream (the stand-in OpenID Provider) end to end over HTTP: the first
 * sign-in makes a password-less account and links it, the second signs in to the same account;
 * an unverified email never links; a verified one links only after the local password; mapped
 * claims and groups reach the downstream tokens; amr says fed; Keyline's MFA policy follows an
 * untrusted upstream and not a trusted one that said mfa.
 */
import { decodeJwt } from 'jose';
import { ACR } from '../../src/accounts/authentication-level.ts';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { AdminSession } from '../support/admin-api.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { createTestUser, exchangeCode, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, backToKeyline, pressUpstreamButton, signInThroughUpstream, throughUpstream } from '../support/upstream-sign-in.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';

const DECLARATIONS = {
  attributes: [{ name: 'department', type: 'string' }],
  claims: { org: { department: 'attribute.department' } },
};
const PEOPLE = [
  { sub: 'ada', claims: { email: 'ada@acme.test', email_verified: true, name: 'Ada Lovelace' } },
  { sub: 'unverified-owner', claims: { email: 'owner@acme.test', email_verified: false, name: 'Not Proven' } },
  { sub: 'verified-owner', claims: { email: 'linker@acme.test', email_verified: true } },
  { sub: 'no-email', claims: { name: 'No Mail' } },
  { sub: 'mfa-person', claims: { email: 'mfa@acme.test', email_verified: true } },
];

let kl: RunningKeyline;
let client: TestClient;
let op: UpstreamOp;
let admin: AdminSession;

async function upstreamFor(id: string, fields: Partial<UpstreamRecord> = {}): Promise<UpstreamRecord> {
  return addRedirectUpstream(kl, { id, name: `Acme ${id}`, settings: { issuer: op.issuer, clientId: `keyline-${id}`, scopes: ['openid', 'email', 'profile'] }, ...fields }, { clientSecret: `secret-${id}` });
}

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true }, ...DECLARATIONS } }, async (ready) => {
  kl = ready.kl;
  client = await registerTestClient(kl, { scopes: 'openid profile email groups org' });
  const ids = ['acme', 'trusted', 'once'];
  op = await startUpstreamOp({
    clients: ids.map((id) => ({ client_id: `keyline-${id}`, client_secret: `secret-${id}`, redirect_uris: [upstreamCallbackUrl(kl.url, id)] })),
    accounts: PEOPLE,
  });
  admin = await AdminSession.open(kl);
  await admin.expect(201, 'POST', '/groups', { name: 'engineering' });
  await admin.expect(201, 'POST', '/groups', { name: 'platform' });
  await upstreamFor('acme', {
    mapping: { claims: { name: 'name', department: 'department' }, groups: [{ claim: 'groups', value: 'eng', group: 'engineering' }, { claim: 'groups', value: 'sre', group: 'platform' }] },
  });
  await upstreamFor('trusted', { trustMfa: true });
  await upstreamFor('once', { sync: 'first', mapping: { claims: { department: 'department' }, groups: [{ claim: 'groups', value: 'sre', group: 'platform' }] } });
});
afterAll(async () => {
  await op?.close();
});
afterEach(() => op.behave());

test('the first sign-in makes a password-less account with the mapped profile, attribute and groups; the second signs in to the same account', async () => {
  op.signInAs('ada');
  // Claims beyond the standard scopes, in the signed id_token as an upstream configured for them sends them.
  op.misbehave({ idTokenClaims: { department: 'Research', groups: ['eng', 'ops'] } });
  const first = await signInThroughUpstream(kl, client, 'acme', op.issuer, { scope: 'openid profile email groups org' });
  expect(first.code).not.toBeNull();
  const account = (await kl.store.accounts.findByEmail('ada@acme.test'))!;
  expect(account).toMatchObject({ name: 'Ada Lovelace', emailVerified: true, attributes: { department: 'Research' } });
  expect((await admin.expect(200, 'GET', `/users/${account.id}`)).signInByEmail).toBe(false);
  expect(await kl.keyline.accounts.authenticate('ada@acme.test', '')).toBeUndefined();

  const tokens = await exchangeCode(kl, client, { code: first.code!, verifier: first.verifier });
  const idToken = decodeJwt(String(tokens.body.id_token));
  expect(idToken).toMatchObject({ sub: account.id, groups: ['engineering'], department: 'Research', amr: ['fed'], acr: ACR.password });
  const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } })).json() as Record<string, unknown>;
  expect(userinfo).toMatchObject({ sub: account.id, name: 'Ada Lovelace', email: 'ada@acme.test', groups: ['engineering'], department: 'Research' });

  const types = (await kl.store.audit.query({ limit: 200 })).map((event) => event.type);
  expect(types).toEqual(expect.arrayContaining(['federation.account_created', 'federation.linked', 'group.member_added']));

  op.signInAs('ada');
  const second = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(second.code).not.toBeNull();
  expect((await kl.store.accounts.list()).filter((one) => one.email === 'ada@acme.test')).toHaveLength(1);
  expect((await kl.store.federatedIdentities.listByAccount(account.id)).map((link) => [link.upstreamId, link.subject, link.lastSignInAt !== null]))
    .toEqual([['acme', 'ada', true]]);
});

test('an upstream that does not vouch for the email never links it to the local account that has it', async () => {
  const owner = await createTestUser(kl);
  // The stand-in's person claims the local owner's address, unverified.
  const person = PEOPLE[1]!;
  (person.claims as Record<string, unknown>).email = owner.email;
  op.signInAs(person.sub);
  const { final, code } = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(403);
  expect(final.text).toContain('has not confirmed the address, so it cannot be linked');
  expect(await kl.store.federatedIdentities.find('acme', person.sub)).toBeUndefined();
  expect(await kl.store.accounts.findByEmail(owner.email)).toMatchObject({ id: owner.id });
});

test('a verified email of a local account links only after that account\'s password, in the same interaction', async () => {
  const owner = await createTestUser(kl);
  (PEOPLE[2]!.claims as Record<string, unknown>).email = owner.email;
  op.signInAs('verified-owner');
  const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
  const linkPage = await backToKeyline(kl, browser, await throughUpstream(browser, op.issuer, started));
  expect(linkPage.status).toBe(200);
  expect(linkPage.text).toContain(`An account with ${owner.email} exists. Sign in to it to link Acme acme.`);
  expect(await kl.store.federatedIdentities.find('acme', 'verified-owner')).toBeUndefined();
  const action = new URL(/<form method="post" action="([^"]+upstream-link)"/.exec(linkPage.text)![1]!, kl.url).href;
  const csrf = hiddenField(linkPage.text, 'csrf')!;
  expect((await browser.postForm(action, { csrf, password: 'wrong password here' })).status).toBe(401);
  expect(await kl.store.federatedIdentities.find('acme', 'verified-owner')).toBeUndefined();
  const linked = await browser.postForm(action, { csrf, password: owner.password });
  expect(linked.status).toBe(303);
  expect(await kl.store.federatedIdentities.find('acme', 'verified-owner')).toMatchObject({ accountId: owner.id });
});

test('create with no email from the upstream: refused with a clear page, no account, no placeholder', async () => {
  const before = (await kl.store.accounts.list()).length;
  op.signInAs('no-email');
  const { final, code } = await signInThroughUpstream(kl, client, 'acme', op.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(403);
  expect(final.text).toContain('did not share an email address');
  expect((await kl.store.accounts.list()).length).toBe(before);
});

test('a client requiring MFA: Keyline\'s own second-factor step after an upstream that is not trusted; none after a trusted one that said mfa', async () => {
  const mfa = { acr_values: ACR.multiFactor };
  op.signInAs('mfa-person');
  op.misbehave({ idTokenClaims: { amr: ['pwd', 'mfa'] } });
  const untrusted = await signInThroughUpstream(kl, client, 'acme', op.issuer, mfa);
  expect(untrusted.code).toBeNull();
  // No factor yet: Keyline asks the person to set one up (its own second factor), whatever the upstream said.
  expect(untrusted.final.status).toBe(200);
  expect(untrusted.final.text).toMatch(/\/interaction\/[^/]+\/enrol\/totp/);

  op.signInAs('mfa-person');
  op.misbehave({ idTokenClaims: { amr: ['pwd', 'mfa'] } });
  (PEOPLE[4]!.claims as Record<string, unknown>).email = 'mfa-trusted@acme.test';
  const trusted = await signInThroughUpstream(kl, client, 'trusted', op.issuer, mfa);
  expect(trusted.code).not.toBeNull();
  const idToken = decodeJwt(String((await exchangeCode(kl, client, { code: trusted.code!, verifier: trusted.verifier })).body.id_token));
  expect(idToken.amr).toEqual(['fed', 'mfa']);
  expect(idToken.acr).toBe(ACR.multiFactor);
});

test('sync: with `always`, a group the upstream no longer asserts goes at the next sign-in; with `first`, later sign-ins change nothing', async () => {
  const account = (await kl.store.accounts.findByEmail('ada@acme.test'))!;
  const groupNames = async () => ((await admin.expect(200, 'GET', `/users/${account.id}/access`)).groups as string[]).sort();
  op.signInAs('ada');
  op.misbehave({ idTokenClaims: { department: 'Research', groups: ['eng', 'sre'] } });
  expect((await signInThroughUpstream(kl, client, 'acme', op.issuer)).code).not.toBeNull();
  expect(await groupNames()).toEqual(['engineering', 'platform']);
  op.signInAs('ada');
  op.misbehave({ idTokenClaims: { department: 'Sales', groups: ['sre'] } });
  expect((await signInThroughUpstream(kl, client, 'acme', op.issuer)).code).not.toBeNull();
  expect(await groupNames()).toEqual(['platform']);
  expect((await kl.store.accounts.findById(account.id))!.attributes).toEqual({ department: 'Sales' });

  // An upstream with `sync: first` maps at the first sign-in only.
  op.signInAs('no-email');
  (PEOPLE[3]!.claims as Record<string, unknown>).email = 'once@acme.test';
  op.misbehave({ idTokenClaims: { department: 'Legal', groups: ['sre'] } });
  expect((await signInThroughUpstream(kl, client, 'once', op.issuer)).code).not.toBeNull();
  const once = (await kl.store.accounts.findByEmail('once@acme.test'))!;
  const onceGroups = async () => ((await admin.expect(200, 'GET', `/users/${once.id}/access`)).groups as string[]).sort();
  expect(await onceGroups()).toEqual(['platform']);
  op.signInAs('no-email');
  op.misbehave({ idTokenClaims: { department: 'Sales', groups: [] } });
  expect((await signInThroughUpstream(kl, client, 'once', op.issuer)).code).not.toBeNull();
  expect(await onceGroups()).toEqual(['platform']);
  expect((await kl.store.accounts.findById(once.id))!.attributes).toEqual({ department: 'Legal' });
});

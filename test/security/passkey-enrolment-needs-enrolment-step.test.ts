import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { factorsOf, postPasskeyJson, registerPasskey, userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { afterPassword, idTokenClaimsAt, postStep, secretOnPage, TestAuthenticator, uidOf } from '../support/second-factor-flow.ts';
import { SoftwarePasskey } from '../support/software-passkey.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 19, item 1: a password alone must never let anyone add a passkey to an account that has a
 * second factor, and a factor set up during a sign-in never counts toward that sign-in's level.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('passkey enrolment during sign-in on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let mfaClient: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    mfaClient = await registerTestClient(kl, { requireMfa: true });
  });

  test('with the password of an account that has an authenticator app, neither passkey route registers a passkey', async () => {
    const { user } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    expect(flow.page.text).toContain('<h1>Two-step verification</h1>');
    const passkey = new SoftwarePasskey(kl.url);

    const { options, registered } = await registerPasskey(flow, passkey);
    expect(options.status).toBe(400);
    expect(registered).toBeUndefined();
    expect(await factorsOf(kl, user.id)).toEqual([{ type: 'totp', name: 'Phone' }]);

    // Options from a moment the interaction was at no step at all (an attacker keeping a challenge) do not help either.
    const forged = await postPasskeyJson(flow, 'passkey', {
      purpose: 'register', challengeId: 'a-guessed-id', response: passkey.create({ challenge: 'AAAA' }),
    });
    expect(forged.status).toBe(400);
    expect(await factorsOf(kl, user.id)).toEqual([{ type: 'totp', name: 'Phone' }]);
  });

  test('acr_values=phr does not take an account with an authenticator app from the password to "create a passkey"', async () => {
    const { user } = await userWithAuthenticatorApp(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user, { acr_values: 'phr' });
    expect(flow.page.text).not.toContain('Protect your account');
    expect((await registerPasskey(flow, new SoftwarePasskey(kl.url))).options.status).toBe(400);
    // It cannot reach a passkey sign-in: the app is told so, with nothing granted.
    const callback = new URL(flow.page.location ?? 'http://invalid/');
    expect(callback.href.startsWith(client.redirectUri)).toBe(true);
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('code')).toBeNull();
    expect(await factorsOf(kl, user.id)).toEqual([{ type: 'totp', name: 'Phone' }]);
  });

  test('an account with no second factor may create one while signing in; it does not count toward that sign-in', async () => {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    expect(flow.page.text).toContain('<h1>Protect your account</h1>');
    const passkey = new SoftwarePasskey(kl.url);
    const { registered } = await registerPasskey(flow, passkey);
    expect(registered?.status).toBe(200);
    expect(await factorsOf(kl, user.id)).toEqual([{ type: 'webauthn', name: 'Attacker' }]);

    // Recovery codes first, then the app's requirement is met only by proving the new passkey.
    flow.page = await flow.browser.followWithin(kl.url, await flow.browser.get(new URL(registered!.json<{ location: string }>().location, kl.url).href));
    expect(flow.page.text).toContain('<h1>Save your recovery codes</h1>');
    await postStep(flow, 'notice');
    expect(flow.page.text).toContain('<h1>Two-step verification</h1>');
    const issued = await postPasskeyJson(flow, 'passkey/options', { purpose: 'second-factor' });
    expect(issued.status).toBe(200);
    const { challengeId, options } = issued.json<{ challengeId: string; options: { challenge: string } }>();
    const used = await postPasskeyJson(flow, 'passkey', { purpose: 'second-factor', challengeId, response: passkey.get(options) });
    expect(used.status).toBe(200);
    flow.page = await flow.browser.followWithin(kl.url, await flow.browser.get(new URL(used.json<{ location: string }>().location, kl.url).href));
    if (flow.page.status === 200) flow.uid = uidOf(flow.page.text);
    const claims = await idTokenClaimsAt({ ...flow, verifier: flow.verifier }, mfaClient);
    expect(claims.acr).toBe('phr');
    expect(claims.sub).toBe(user.id);
  });

  test('the sign-in that created the factor ends at the level it proved: a password', async () => {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), client, user, { acr_values: 'urn:keyline:acr:mfa' });
    const { registered } = await registerPasskey(flow, new SoftwarePasskey(kl.url));
    expect(registered?.status).toBe(200);
    const events = (await kl.store.audit.query({ limit: 10_000 }))
      .filter((event) => event.accountId === user.id && event.type === 'login.succeeded');
    expect(events).toHaveLength(0);
    flow.page = await flow.browser.followWithin(kl.url, await flow.browser.get(new URL(registered!.json<{ location: string }>().location, kl.url).href));
    await postStep(flow, 'notice');
    const after = (await kl.store.audit.query({ limit: 10_000 }))
      .filter((event) => event.accountId === user.id && event.type === 'login.succeeded');
    expect(after.map((event) => event.data.acr)).toEqual(['urn:keyline:acr:pwd']);
  });

  test('20 concurrent registrations on one interaction add exactly one passkey', async () => {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const issued = await Promise.all(Array.from({ length: 20 }, () => postPasskeyJson(flow, 'passkey/options', { purpose: 'register' })));
    expect(issued.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const answers = await Promise.all(issued.map((answer) => {
      const { challengeId, options } = answer.json<{ challengeId: string; options: { challenge: string } }>();
      return postPasskeyJson(flow, 'passkey', { purpose: 'register', challengeId, response: new SoftwarePasskey(kl.url).create(options) });
    }));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.every((status) => status === 200 || (status >= 400 && status < 500))).toBe(true);
    expect(await factorsOf(kl, user.id)).toHaveLength(1);
  });

  test('an authenticator app confirmed 20 times at once, racing 10 passkey registrations, adds exactly one factor', async () => {
    const user = await createTestUser(kl);
    const flow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, user);
    const code = await new TestAuthenticator(secretOnPage(flow.page.text)).nextCode();
    const csrf = hiddenField(flow.page.text, 'csrf')!;
    const issued = await Promise.all(Array.from({ length: 10 }, async () => (await postPasskeyJson(flow, 'passkey/options', { purpose: 'register' }))
      .json<{ challengeId: string; options: { challenge: string } }>()));
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => flow.browser.postForm(`${kl.url}/interaction/${flow.uid}/enrol/totp`, { csrf, code })),
      ...issued.map(({ challengeId, options }) => postPasskeyJson(flow, 'passkey', { purpose: 'register', challengeId, response: new SoftwarePasskey(kl.url).create(options) })),
    ]);
    expect(answers.every((answer) => answer.status < 500)).toBe(true);
    expect(await factorsOf(kl, user.id)).toHaveLength(1);
    // The interaction goes on to the recovery codes once, then ends at the password's level.
    const page = await flow.browser.get(`${kl.url}/interaction/${flow.uid}`);
    expect(page.text).toContain('<h1>Save your recovery codes</h1>');
  });

  test("another interaction's challenge, or the options route of another interaction, registers nothing", async () => {
    const victim = await createTestUser(kl);
    const attacker = await createTestUser(kl);
    const victimFlow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, victim);
    const attackerFlow = await afterPassword(kl, new BrowserLikeClient(), mfaClient, attacker);
    const issued = await postPasskeyJson(attackerFlow, 'passkey/options', { purpose: 'register' });
    const { challengeId, options } = issued.json<{ challengeId: string; options: { challenge: string } }>();
    // The attacker's challenge, answered on the victim's interaction (with the victim's cookies and CSRF token).
    const crossed = await postPasskeyJson(victimFlow, 'passkey', { purpose: 'register', challengeId, response: new SoftwarePasskey(kl.url).create(options) });
    expect(crossed.status).toBe(401);
    // The victim's interaction id with the attacker's cookies and CSRF token.
    const foreign = await postPasskeyJson(attackerFlow, 'passkey/options', { purpose: 'register' }, victimFlow.uid);
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBeLessThan(500);
    expect(await factorsOf(kl, victim.id)).toEqual([]);
    // Replayed after the enrolment ended the step: refused.
    const first = await registerPasskey(victimFlow, new SoftwarePasskey(kl.url));
    expect(first.registered?.status).toBe(200);
    expect((await registerPasskey(victimFlow, new SoftwarePasskey(kl.url))).options.status).toBe(400);
    expect(await factorsOf(kl, victim.id)).toHaveLength(1);
  });
});

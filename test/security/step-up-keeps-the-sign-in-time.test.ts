import { allBackends } from '../support/backends.ts';
import { userWithAuthenticatorApp } from '../support/interaction-attacks.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { stepUpWithCode } from '../support/second-factor-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Review of issue 19, item 2 and the account pages' re-authentication: a step-up over a session
 * asks only for the missing second factor, not the password, and it used to report the sign-in as
 * happening now. So a copied session cookie of an hour ago plus the one-time code (a phone in
 * hand, no password) made a "recent sign-in" that the account pages accept for removing the
 * owner's factors and adding the holder's. A step-up proves the factor, not the password: the
 * sign-in keeps the session's auth_time, and a stale session still signs in again in full.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const MFA = 'urn:keyline:acr:mfa';
const AN_HOUR = 3600;

describe.each(backends)('a step-up over an old session on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, (ready) => { ({ kl, client } = ready); });

  test('reports the original sign-in time, and the account pages still ask for the password', async () => {
    // The owner signed in with the password, then added an authenticator app on the account pages.
    const { user, pages, app } = await userWithAuthenticatorApp(kl);
    const [summary] = await kl.keyline.accounts.listSessions(user.id);
    const session = (await kl.store.oidc.findByUid('Session', summary!.uid!))!;
    const signedInAt = Math.floor(Date.now() / 1000) - AN_HOUR;
    // That sign-in was an hour ago.
    await kl.store.oidc.upsert('Session', String(session.jti), { ...session, loginTs: signedInAt }, 14 * 24 * 3600);

    const browser = pages.browser;
    const { askedOn, claims } = await stepUpWithCode(kl, browser, client, app, MFA);
    // Only the code was asked for, not the password.
    expect(askedOn.text).not.toContain('name="password"');
    expect(claims.acr).toBe(MFA);
    expect(claims.auth_time).toBe(signedInAt);

    // The code alone did not make the hour-old sign-in recent.
    const security = await browser.get(`${kl.url}/account/security`);
    expect(security.status).toBe(303);
  });
});

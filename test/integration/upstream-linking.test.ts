/**
 * The link-your-account step: an upstream identity whose verified email is a local account's is
 * linked only after the local password, in the same interaction, through the one throttle; the
 * sign-in then continues with both methods (fed + pwd) in the tokens.
 */
import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { continueSignIn, exchangeCode } from '../support/oidc-flow.ts';
import { interactionAwaitingLink } from '../support/pending-upstream-link.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';

afterAll(stopMongoTestServer);

describe.each(await allBackends())('on $name', (backend) => {
  let f: KeylineFixture;
  let upstream: UpstreamRecord;
  useKeyline(backend, {}, async (fixture) => {
    f = fixture;
    upstream = await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
  });

  test('the step names the account and the upstream; a wrong password links nothing; the right one links and signs in with fed and pwd', async () => {
    const account = (await f.kl.store.accounts.findByEmail(f.user.email))!;
    const identity = { subject: 'acme-user-1', email: f.user.email, emailVerified: true, claims: {} };
    const { browser, csrf, verifier, linkUrl } = await interactionAwaitingLink(f.kl, f.client, upstream, account.id, identity);

    const page = await browser.get(linkUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`An account with ${f.user.email} exists. Sign in to it to link Acme SSO.`);

    const wrong = await browser.postForm(linkUrl, { csrf, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(await f.kl.store.federatedIdentities.find('acme', 'acme-user-1')).toBeUndefined();

    const right = await browser.postForm(linkUrl, { csrf, password: f.user.password });
    expect(right.status).toBe(303);
    expect((await f.kl.store.federatedIdentities.find('acme', 'acme-user-1'))?.accountId).toBe(account.id);
    const linked = await f.kl.store.audit.query({ type: 'federation.linked', limit: 10 });
    expect(linked.map((event) => event.accountId)).toEqual([account.id]);

    // (through the consent page, which a first sign-in to the client shows)
    const callback = new URL((await continueSignIn(f.kl, browser, right, f.user)).location!);
    const code = callback.searchParams.get('code')!;
    const tokens = await exchangeCode(f.kl, f.client, { code, verifier });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(String(tokens.body.id_token)).amr).toEqual(expect.arrayContaining(['fed', 'pwd']));

    // The step is over: posting the password again links nothing more and makes no second sign-in.
    expect((await browser.postForm(linkUrl, { csrf, password: f.user.password })).status).toBe(400);
  });
});

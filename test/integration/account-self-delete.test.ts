/**
 * "Delete my account" goes through the administrators' removal: every session, grant and token
 * ends (an app's refresh token stops working), each app with a back-channel logout URI gets its
 * logout token, and shared-signals receivers get a session-revoked SET, all through the outbox.
 */
import { decodeJwt } from 'jose';
import { integrationBackends } from '../support/backends.ts';
import { AccountPages } from '../support/account-pages.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, tokenRequest, type TestClient } from '../support/oidc-flow.ts';
import { eventually, startRecordingReceiver, type RecordingReceiver } from '../support/recording-receiver.ts';
import { signedIn } from '../support/session-ending-paths.ts';
import { eventAbout, pushedSets, registerReceiver } from '../support/ssf-receiver.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CONFIG = {
  account: { selfDelete: true },
  outbound: { allowPrivateNetworks: true },
  jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 },
};

describe.each(backends)('"Delete my account" on $name', (backend) => {
  let kl: RunningKeyline;
  let rp: RecordingReceiver;
  let client: TestClient;

  beforeAll(async () => {
    rp = await startRecordingReceiver();
    rp.answerWith(202);
  });
  afterAll(() => rp.stop());
  useKeyline(backend, { config: CONFIG }, async (ready) => {
    kl = ready.kl;
    client = await registerTestClient(kl, {
      name: 'RP with back-channel logout', backchannelLogoutUri: `${rp.url}/backchannel-logout`, backchannelLogoutSessionRequired: true,
    });
    const receiver = await registerReceiver(kl);
    const created = await receiver.call('POST', '/ssf/streams', {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${rp.url}/events` },
      events_requested: [SESSION_REVOKED],
    });
    if (created.status !== 201) throw new Error(`creating the push stream answered ${created.status}: ${JSON.stringify(created.body)}`);
  });

  test('ends every session: the app\'s refresh token stops working, its logout token and a session-revoked SET arrive', async () => {
    const login = await signedIn(kl, client);
    const pages = new AccountPages(kl);
    await pages.open('/account/delete');
    await pages.signIn(login.user);
    const posted = await pages.browser.postForm(`${kl.url}/account/delete`, { csrf: hiddenField(pages.page.text, 'csrf')! });
    expect(posted.status).toBe(303);

    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: login.refreshToken });
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(await kl.store.oidc.listByAccount('Session', login.user.id)).toEqual([]);

    const logoutToken = await eventually(`a logout token for sid ${login.sid}`, () => rp.received
      .filter((request) => request.path === '/backchannel-logout')
      .map((request) => decodeJwt(new URLSearchParams(request.body).get('logout_token') ?? ''))
      .find((claims) => claims.sid === login.sid));
    expect(logoutToken.sub).toBe(login.user.id);

    const pushed = await eventually('a session-revoked SET', () => pushedSets(rp).find((entry) => eventAbout(entry.claims, SESSION_REVOKED, login.user.id)));
    expect(eventAbout(pushed.claims, SESSION_REVOKED, login.user.id)).toMatchObject({ initiating_entity: 'user' });

    // The same removal as an administrator's, recorded as the person's own.
    const [removed] = await kl.store.audit.query({ accountId: login.user.id, type: 'user.removed', limit: 1 });
    expect(removed).toMatchObject({ actor: `user:${login.user.id}`, data: expect.objectContaining({ sessionsRevoked: true, during: 'account' }) });
    expect(await kl.store.consents.listForAccount(login.user.id)).toEqual([]);
  });
});

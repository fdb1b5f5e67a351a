import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient, hiddenField, type Response } from '../support/browser-like-client.ts';
import { memberOfChildGroup } from '../support/groups-in-store.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  authorizeUrl, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * The `claims` request parameter (OIDC Core §5.5) asks for single claims by name. For the groups
 * and the operator's mapped claims that must not open a side door: a client not registered for the
 * scope that releases a claim never gets it by name, and a client that may have it gets it only
 * after the consent page said so.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const DECLARATIONS = {
  attributes: [{ name: 'department', type: 'string', label: 'Department' }],
  claims: { org: { department: 'attribute.department' } },
};
const ASK_BY_NAME = JSON.stringify({
  id_token: { groups: null, department: null },
  userinfo: { groups: null, department: null },
});

describe.each(backends)('the claims parameter on $name', (backend) => {
  let kl: RunningKeyline;
  let member: TestUser;

  useKeyline(backend, { config: DECLARATIONS }, async (ready) => {
    kl = ready.kl;
    member = await createTestUser(kl);
    await memberOfChildGroup(kl, member.id);
    await kl.store.accounts.update(member.id, { attributes: { department: 'Research' } });
  });

  async function released(client: TestClient) {
    const signedIn = await signIn(kl, client, member, { scope: 'openid', params: { prompt: 'consent', claims: ASK_BY_NAME } });
    const tokens = (await exchangeCode(kl, client, signedIn)).body;
    const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${String(tokens.access_token)}` } })).json() as Record<string, unknown>;
    return { idToken: decodeJwt(String(tokens.id_token)), userinfo };
  }

  async function consentPage(client: TestClient): Promise<Response> {
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
      scope: 'openid', prompt: 'consent', claims: ASK_BY_NAME, code_challenge: challenge, code_challenge_method: 'S256',
    })));
    const action = /action="([^"]+\/login)"/.exec(login.text)![1]!;
    const posted = await browser.postForm(new URL(action, kl.url).href, { email: member.email, password: member.password, csrf: hiddenField(login.text, 'csrf')! });
    return browser.followWithin(kl.url, posted);
  }

  test('a client not registered for groups or the claim scope gets neither claim by naming it', async () => {
    const client = await registerTestClient(kl, { scopes: 'openid email' });
    const { idToken, userinfo } = await released(client);
    expect(idToken).not.toHaveProperty('groups');
    expect(idToken).not.toHaveProperty('department');
    expect(userinfo).toEqual({ sub: member.id });
  });

  test('a client registered for them gets them by name, and the consent page says so first', async () => {
    const client = await registerTestClient(kl, { scopes: 'openid groups org' });
    const page = await consentPage(client);
    expect(page.text).toContain('action="/interaction/');
    expect(page.text).toContain('See the groups you belong to');
    expect(page.text).toContain('See these details of your account: Department');
    const { idToken, userinfo } = await released(client);
    expect(idToken).toMatchObject({ groups: ['engineering', 'platform'], department: 'Research' });
    expect(userinfo).toEqual({ sub: member.id, groups: ['engineering', 'platform'], department: 'Research' });
  });
});

import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('standard claims (OIDC Core §5) on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let full: TestUser;

  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    client = await registerTestClient(kl, { scopes: 'openid profile email phone address offline_access' });
    full = await createTestUser(kl);
    await kl.keyline.accounts.updateProfile(full.email, {
      name: 'Ada King',
      text: {
        given_name: 'Ada', family_name: 'King', nickname: 'Ada', preferred_username: 'ada', picture: 'https://example.test/ada.png',
        website: 'https://ada.example.test', birthdate: '1815-12-10', zoneinfo: 'Europe/London', locale: 'en-gb', phone_number: '+441234567890',
      },
      phoneNumberVerified: true,
      address: { street_address: '12 St James\'s Square', locality: 'London', postal_code: 'SW1Y 4LB', country: 'GB' },
    });
  });

  async function claimsFor(user: TestUser, scope: string, params: Record<string, string> = {}) {
    const tokens = (await exchangeCode(kl, client, await signIn(kl, client, user, { scope, params: { prompt: 'consent', ...params } }))).body;
    const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json() as Record<string, unknown>;
    return { idToken: decodeJwt(String(tokens.id_token)), userinfo };
  }

  test('each scope releases its claims at userinfo, and only those', async () => {
    const { userinfo } = await claimsFor(full, 'openid profile');
    expect(userinfo).toMatchObject({
      sub: full.id, name: 'Ada King', given_name: 'Ada', family_name: 'King', nickname: 'Ada', preferred_username: 'ada',
      picture: 'https://example.test/ada.png', website: 'https://ada.example.test', birthdate: '1815-12-10', zoneinfo: 'Europe/London', locale: 'en-GB',
    });
    expect(typeof userinfo.updated_at).toBe('number');
    for (const withheld of ['email', 'phone_number', 'address']) expect(userinfo).not.toHaveProperty(withheld);

    const more = await claimsFor(full, 'openid email phone address');
    expect(more.userinfo).toEqual({
      sub: full.id, email: full.email, email_verified: false, phone_number: '+441234567890', phone_number_verified: true,
      address: { street_address: '12 St James\'s Square', locality: 'London', postal_code: 'SW1Y 4LB', country: 'GB' },
    });
  });

  test('claims the account lacks are left out, never sent empty', async () => {
    const bare = await createTestUser(kl);
    const { userinfo } = await claimsFor(bare, 'openid profile phone address');
    expect(Object.keys(userinfo).sort()).toEqual(['name', 'sub', 'updated_at']);
  });

  test('the claims parameter asks for single claims, in the id_token or at userinfo', async () => {
    const claims = JSON.stringify({ id_token: { email: { essential: true }, nickname: null }, userinfo: { phone_number: null } });
    const { idToken, userinfo } = await claimsFor(full, 'openid', { claims });
    expect(idToken).toMatchObject({ email: full.email, nickname: 'Ada' });
    expect(userinfo).toMatchObject({ sub: full.id, phone_number: '+441234567890' });
    expect(userinfo).not.toHaveProperty('given_name');
  });

  test('discovery advertises the scopes, the claims and the claims parameter', async () => {
    const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(discovery.claims_parameter_supported).toBe(true);
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'address']));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['given_name', 'birthdate', 'phone_number_verified', 'address', 'email_verified']));
  });

  test('invalid values are refused, each named, and nothing changes', async () => {
    const user = await createTestUser(kl);
    await expect(kl.keyline.accounts.updateProfile(user.email, {
      text: { phone_number: '555-1234', website: 'javascript:alert(1)', zoneinfo: 'Mars/Olympus', locale: 'not a locale!', birthdate: '2999-01-01', nickname: 'ok' },
    })).rejects.toThrow(/phone_number: .*E\.164.*website: .*zoneinfo: .*locale: .*birthdate: /);
    expect((await kl.keyline.accounts.findByEmail(user.email))?.profile).toEqual({});
  });
});

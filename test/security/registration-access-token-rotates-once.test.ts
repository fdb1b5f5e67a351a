import { allBackends } from '../support/backends.ts';
import { manageRegistration, registerDynamically } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * Each RFC 7592 update rotates the registration access token. The same token presented in 20
 * concurrent PUTs must be spent once: one update wins and yields the one new token; the others
 * are refused (401) and change nothing, so a stolen token raced against its owner cannot fork
 * into a second valid token.
 */
describe.each(backends)('registration access token rotation under concurrent PUTs on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, (fixture) => {
    ({ kl } = fixture);
  });

  const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Racing App' };

  test('20 concurrent PUTs with one token: exactly one wins, its new token is the only valid one', async () => {
    const registration = await registerDynamically(kl, webApp);
    expect(registration.status).toBe(201);
    const client = registration.body;

    const answers = await Promise.all(Array.from({ length: 20 }, async (_, index) => ({
      index, ...await manageRegistration(client, client.registration_access_token, 'PUT', { ...webApp, client_id: client.client_id, client_name: `Racer ${index}` }),
    })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(19).fill(401)]);

    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await kl.store.clients.find(client.client_id))!.metadata.client_name).toBe(`Racer ${winner.index}`);
    expect((await manageRegistration(client, winner.body.registration_access_token, 'GET')).status).toBe(200);
    expect((await manageRegistration(client, client.registration_access_token, 'GET')).status).toBe(401);
  });
});

import { allBackends } from '../support/backends.ts';
import { initialAccessToken, manageRegistration, registerDynamically } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * An RFC 7592 update racing the client's removal (its own DELETE): the update is either done
 * before the removal or refused as the token of a client that is gone, never a 500, and a
 * removed client is never brought back by an update that was checked before it was removed.
 */
describe.each(backends)('RFC 7592 update racing removal on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, (fixture) => {
    ({ kl } = fixture);
  });

  const webApp = { redirect_uris: ['https://app.example.test/callback'] };

  test('concurrent DELETE and PUT: the client stays removed and the PUT is a 200 or a 401', async () => {
    const iat = await initialAccessToken(kl);
    for (let round = 0; round < 10; round += 1) {
      const registration = await registerDynamically(kl, webApp, iat);
      expect(registration.status).toBe(201);
      const client = registration.body;
      const token = client.registration_access_token;
      const [removal, update] = await Promise.all([
        manageRegistration(client, token, 'DELETE'),
        manageRegistration(client, token, 'PUT', { ...webApp, client_id: client.client_id }),
      ]);
      const outcome = { round, removal: removal.status, update: [200, 401].includes(update.status) ? 'done or refused' : update.status, remains: Boolean(await kl.store.clients.find(client.client_id)) };
      expect(outcome).toEqual({ round, removal: 204, update: 'done or refused', remains: false });
    }
  });
});

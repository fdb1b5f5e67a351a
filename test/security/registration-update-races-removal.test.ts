import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

interface Registered {
  client_id: string;
  registration_access_token: string;
  registration_client_uri: string;
}

/**
 * An RFC 7592 update racing the client's removal (its own DELETE): the update is either done
 * before the removal or refused as the token of a client that is gone, never a 500, and a
 * removed client is never brought back by an update that was checked before it was removed.
 */
describe.each(backends)('RFC 7592 update racing removal on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  const webApp = { redirect_uris: ['https://app.example.test/callback'] };

  test('concurrent DELETE and PUT: the client stays removed and the PUT is a 200 or a 401', async () => {
    const created = await runCli(kl, ['registration', 'token', 'create']);
    const iat = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    for (let round = 0; round < 10; round += 1) {
      const registration = await fetch(`${kl.url}/reg`, {
        method: 'POST', headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' }, body: JSON.stringify(webApp),
      });
      expect(registration.status).toBe(201);
      const client = await registration.json() as Registered;
      const headers = { authorization: `Bearer ${client.registration_access_token}`, 'content-type': 'application/json' };
      const [removal, update] = await Promise.all([
        fetch(client.registration_client_uri, { method: 'DELETE', headers }),
        fetch(client.registration_client_uri, { method: 'PUT', headers, body: JSON.stringify({ ...webApp, client_id: client.client_id }) }),
      ]);
      const outcome = { round, removal: removal.status, update: [200, 401].includes(update.status) ? 'done or refused' : update.status, remains: Boolean(await kl.store.clients.find(client.client_id)) };
      expect(outcome).toEqual({ round, removal: 204, update: 'done or refused', remains: false });
    }
  });
});

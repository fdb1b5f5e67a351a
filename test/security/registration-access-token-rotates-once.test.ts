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
 * Each RFC 7592 update rotates the registration access token. The same token presented in 20
 * concurrent PUTs must be spent once: one update wins and yields the one new token; the others
 * are refused (401) and change nothing, so a stolen token raced against its owner cannot fork
 * into a second valid token.
 */
describe.each(backends)('registration access token rotation under concurrent PUTs on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Racing App' };

  test('20 concurrent PUTs with one token: exactly one wins, its new token is the only valid one', async () => {
    const created = await runCli(kl, ['registration', 'token', 'create']);
    const iat = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    const registration = await fetch(`${kl.url}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' }, body: JSON.stringify(webApp),
    });
    expect(registration.status).toBe(201);
    const client = await registration.json() as Registered;

    const answers = await Promise.all(Array.from({ length: 20 }, async (_, index) => {
      const answer = await fetch(client.registration_client_uri, {
        method: 'PUT',
        headers: { authorization: `Bearer ${client.registration_access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...webApp, client_id: client.client_id, client_name: `Racer ${index}` }),
      });
      return { index, status: answer.status, body: await answer.json() as Registered & { client_name: string } };
    }));
    const winners = answers.filter((answer) => answer.status === 200);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(19).fill(401)]);

    const [winner] = winners;
    expect((await kl.store.clients.find(client.client_id))!.metadata.client_name).toBe(`Racer ${winner!.index}`);
    const read = (token: string) => fetch(client.registration_client_uri, { headers: { authorization: `Bearer ${token}` } });
    expect((await read(winner!.body.registration_access_token)).status).toBe(200);
    expect((await read(client.registration_access_token)).status).toBe(401);
  });
});

import { startKeyline } from '../support/start-keyline.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, registerTestClient, signIn, silentAuthorize } from '../support/oidc-flow.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

test.each(backends)('a restart on the same $name store keeps keys, clients, users and the signed-in session', async (backend) => {
  const { location: store, cleanup } = await backend.create();
  const first = await startKeyline({ store });
  const port = Number(new URL(first.url).port);
  const client = await registerTestClient(first);
  const user = await createTestUser(first);
  const { browser } = await signIn(first, client, user);
  const keysBefore = await (await fetch(`${first.url}/jwks`)).json() as { keys: Array<{ kid: string }> };
  await first.stop({ keepStore: true });
  // Let fetch's connection pool see that the old server closed its keep-alive sockets.
  await new Promise((resolve) => setTimeout(resolve, 100));

  const second = await startKeyline({ store, port });
  try {
    const keysAfter = await (await fetch(`${second.url}/jwks`)).json() as { keys: Array<{ kid: string }> };
    expect(keysAfter.keys.map((key) => key.kid)).toEqual(keysBefore.keys.map((key) => key.kid));
    expect(await second.store.clients.find(client.clientId)).toBeDefined();
    expect((await second.keyline.accounts.authenticate(user.email, user.password))?.id).toBe(user.id);

    const callback = await silentAuthorize(second, client, browser);
    expect(callback.searchParams.get('error')).toBeNull();
    expect(callback.searchParams.get('code')).toBeTruthy();
  } finally {
    await second.stop();
    await cleanup();
  }
});

/**
 * The start page's getting-started panel links to the example app it finds by its registration
 * (the client named as run-example.ts names it). Anyone who may register clients could name one
 * so: only a loopback home page is linked, so the start page never carries a link elsewhere. The
 * lookup reads the clients repository, so it runs on every backend.
 */
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { EXAMPLE_CLIENT_NAME } from '../../src/pages/example-app-address.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the start page on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {}, async (ready) => { kl = ready.kl; });

  test('a client named like the example with an outside home page is not linked; the loopback one is', async () => {
    await registerTestClient(kl, { name: EXAMPLE_CLIENT_NAME, redirectUris: ['https://evil.example/callback'], clientUri: 'https://evil.example/' });
    let start = await (await fetch(`${kl.url}/`)).text();
    expect(start).not.toContain('evil.example');
    expect(start).toContain('npm run example');

    await registerTestClient(kl, { name: EXAMPLE_CLIENT_NAME, redirectUris: ['http://localhost:8123/callback'], clientUri: 'http://localhost:8123/' });
    start = await (await fetch(`${kl.url}/`)).text();
    expect(start).toContain('<a id="example-app" href="http://localhost:8123/">http://localhost:8123/</a>');
    expect(start).not.toContain('evil.example');
  });
});

/**
 * The other order of api-scope-never-named-like-a-claim-scope: an API stored at run time has the
 * scope `org`, and the operator then declares a claim scope `org` in the config. The config alone
 * cannot see the stored API, so the server checks at start and refuses, naming both, rather than
 * serve one scope name with two meanings.
 */
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { startKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const DECLARATIONS = {
  attributes: [{ name: 'department', type: 'string' }],
  claims: { org: { department: 'attribute.department' } },
};

describe.each(backends)('a claim scope declared over a stored API scope on $name', (backend) => {
  test('the server refuses to start, naming the scope and the API', async () => {
    const { location, cleanup } = await backend.create();
    try {
      const before = await startKeyline({ store: location });
      await (await AdminSession.open(before)).expect(201, 'POST', '/resources', { indicator: 'https://api.example.test/', scopes: ['org'] });
      await before.stop({ keepStore: true });
      const outcome = await startKeyline({ store: location, config: DECLARATIONS }).then(
        async (started) => { await started.stop({ keepStore: true }); return 'it started'; },
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(/"org".*https:\/\/api\.example\.test\//);
    } finally {
      await cleanup();
    }
  });
});

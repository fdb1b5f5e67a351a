import { ANNOUNCE_BATCH } from '../../src/authorization/authorization-administration.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { eventually } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const MEMBERS = 500;
const ISSUER = { KEYLINE_ISSUER: 'http://127.0.0.1:9' };

/**
 * A grant to a group announces token-claims-change to every member. Done in the request, that
 * was a read of each member's groups and roles and an outbox write per member before the answer:
 * 2,000 members kept the admin API call (and the group-tree lease, for a group move) busy for over
 * five minutes on a Mongo-wire store. The change now writes one job per batch of people; a node
 * turns each into the per-person signals. Counted with the CLI on a store no server works on, so
 * the jobs it left are exactly what the change wrote; then a Keyline on that store fans them out.
 */
describe.each(backends)('a grant to a big group on $name', (backend) => {
  let location: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  let kl: RunningKeyline | undefined;

  beforeAll(async () => {
    ({ location, cleanup } = await backend.create());
    store = await openStore({ store: location, sqlite: { synchronous: 'NORMAL' } });
  });
  afterAll(async () => {
    await kl?.stop({ keepStore: true });
    await store.close();
    await cleanup();
  });

  test('writes one job per batch of people, and every member still gets token-claims-change', async () => {
    const now = new Date();
    await store.groups.create({ id: 'grp_big0000000000000000000', name: 'big', parentId: null, description: null, createdAt: now, updatedAt: now });
    await store.roles.create({ id: 'rol_staff00000000000000000', name: 'staff', resource: null, permissions: [], description: null, createdAt: now, updatedAt: now });
    const members = Array.from({ length: MEMBERS }, (_, index) => `account-${String(index).padStart(4, '0')}`);
    for (const member of members) await store.groups.addMember('grp_big0000000000000000000', member);

    const granted = await runCli({ store: location }, ['roles', 'grant', 'staff', '--group', 'big'], '', ISSUER);
    expect(granted.stderr).toBe('');
    expect(granted.code).toBe(0);
    const written = await store.jobs.list({ limit: 10_000 });
    expect(written.length).toBeLessThanOrEqual(Math.ceil(MEMBERS / ANNOUNCE_BATCH));

    kl = await startKeyline({ store: location });
    await eventually('a token-claims-change job for every member', async () => {
      const signals = (await store.jobs.list({ limit: 10_000 })).filter((job) => job.kind === 'signal');
      return signals.length === MEMBERS ? signals : undefined;
    }, 120_000);
    const about = new Set((await store.jobs.list({ limit: 10_000 })).filter((job) => job.kind === 'signal').map((job) => job.payload.accountId));
    expect([...about].sort()).toEqual(members);
  }, 600_000);
});

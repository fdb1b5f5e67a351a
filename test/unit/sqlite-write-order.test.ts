import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.ts';

/**
 * SQLite's token writes wait for the end of the turn (sqlite-write-queue.ts). An ending of every
 * session of an account asked for after a token was written must still remove that token: the
 * revocation may not overtake the write it follows.
 */
describe('SQLite writes run in the order they were asked for', () => {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'keyline-write-order-')), 'keyline.sqlite'));
  afterAll(() => store.close());

  it('destroyByAccount asked for after an upsert in the same turn removes what the upsert wrote', async () => {
    const [, destroyed] = await Promise.all([
      store.oidc.upsert('RefreshToken', 'issued-just-before', { accountId: 'account-1', grantId: 'grant-1' }, 3600),
      store.oidc.destroyByAccount('account-1'),
    ]);
    expect(destroyed).toBe(1);
    expect(await store.oidc.find('RefreshToken', 'issued-just-before')).toBeUndefined();
  });
});

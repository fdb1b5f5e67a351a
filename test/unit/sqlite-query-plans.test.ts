import { DatabaseSync } from 'node:sqlite';
import { migrateSqliteSchema } from '../../src/store/sqlite/schema.ts';
import { GROUP_IDS_OF_SQL } from '../../src/store/sqlite/sqlite-groups.ts';
import { FIND_TOKEN_SQL } from '../../src/store/sqlite/sqlite-oidc-records.ts';
import { GRANTS_TO_SQL } from '../../src/store/sqlite/sqlite-roles.ts';

/** SQLite's plan for a statement, one step per line ("SEARCH g USING PRIMARY KEY (model=? AND id=?)", ...). */
function planOf(sql: string, parameters: Array<string | number>): string[] {
  const db = new DatabaseSync(':memory:');
  migrateSqliteSchema(db);
  const steps = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as Array<{ detail: string }>;
  db.close();
  return steps.map((step) => step.detail);
}

test('the combined token lookup reads the token, its grant and its session by key: no scan of a model', () => {
  const plan = planOf(FIND_TOKEN_SQL, ['token-id', 0, 'AccessToken', 'AccessToken', 'AccessToken']);
  expect(plan).toEqual([
    'SEARCH t USING PRIMARY KEY (model=? AND id=?)',
    'SEARCH g USING PRIMARY KEY (model=? AND id=?) LEFT-JOIN',
    'SEARCH s USING INDEX oidc_records_uid (model=? AND uid=?) LEFT-JOIN',
  ]);
});

test('a person\'s groups and the grants to them and their groups are read by index: no scan of memberships or grants', () => {
  expect(planOf(GROUP_IDS_OF_SQL, ['account-1'])).toEqual(['SEARCH group_members USING COVERING INDEX group_members_account (account_id=?)']);
  expect(planOf(GRANTS_TO_SQL, [JSON.stringify([{ kind: 'user', id: 'account-1' }])])[0])
    .toBe('SEARCH role_grants USING INDEX role_grants_holder (holder_kind=? AND holder_id=?)');
});

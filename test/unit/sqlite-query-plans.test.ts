import { DatabaseSync } from 'node:sqlite';
import { migrateSqliteSchema } from '../../src/store/sqlite/schema.ts';
import { FIND_TOKEN_SQL } from '../../src/store/sqlite/sqlite-oidc-records.ts';

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

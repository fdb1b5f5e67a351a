import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteWriteQueue } from '../../src/store/sqlite/sqlite-write-queue.ts';

function openDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 50');
  return db;
}

describe('SqliteWriteQueue (group commit of one turn\'s writes)', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'keyline-write-queue-')), 'queue.sqlite');
  const db = openDatabase(path);
  db.exec('CREATE TABLE items (name TEXT PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
  const names = () => (db.prepare('SELECT name FROM items ORDER BY name').all() as Array<{ name: string }>).map((row) => row.name);
  const queue = new SqliteWriteQueue(db);
  const add = (name: string) => queue.run(() => insert.run(name).changes);

  beforeEach(() => db.exec('DELETE FROM items'));
  afterAll(() => db.close());

  it('writes of one turn commit together, and each caller gets its own result', async () => {
    const outcomes = await Promise.allSettled([add('a'), add('a'), add('b')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(names()).toEqual(['a', 'b']);
  });

  it('when the transaction ends in the middle of a batch, each write runs once on its own', async () => {
    const outcomes = await Promise.allSettled([
      add('first'),
      queue.run(() => {
        // What SQLite does on an I/O error or a full disk: the whole transaction is rolled back.
        db.exec('ROLLBACK');
        throw new Error('disk I/O error');
      }),
      add('last'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Run twice, 'first' would have failed its second insert with a duplicate key.
    expect(names()).toEqual(['first', 'last']);
  });

  it('when another process holds the write lock past the timeout, every write of the batch fails and none is half-kept', async () => {
    const other = openDatabase(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled([add('x'), add('y')]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(names()).toEqual([]);
    await Promise.all([add('x'), add('y')]);
    expect(names()).toEqual(['x', 'y']);
  });

  it('flush writes what is waiting at once (before the connection closes)', async () => {
    const written = add('waiting');
    queue.flush();
    expect(names()).toEqual(['waiting']);
    await expect(written).resolves.toBe(1);
  });
});

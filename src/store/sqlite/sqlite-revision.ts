import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * A counter in the `meta` table that any process bumps when it changes a set of records (clients,
 * resources), so every node's cache of that set can see the change (the SQLite half of
 * MongoRevision).
 */
export class SqliteRevision {
  readonly #bump: StatementSync;
  readonly #current: StatementSync;
  readonly #key: string;

  constructor(db: DatabaseSync, key: 'clients_revision' | 'resources_revision' | 'upstreams_revision') {
    this.#key = key;
    this.#bump = db.prepare('UPDATE meta SET value = value + 1 WHERE key = ?');
    this.#current = db.prepare('SELECT value FROM meta WHERE key = ?');
  }

  bump(): void {
    this.#bump.run(this.#key);
  }

  current(): number {
    return (this.#current.get(this.#key) as { value: number }).value;
  }
}

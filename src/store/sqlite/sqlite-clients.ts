import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { NotFoundError } from '../store-errors.ts';
import type { ClientRecord, Clients } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import { SqliteRevision } from './sqlite-revision.ts';

interface ClientRow {
  client_id: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}

function toClient(row: ClientRow | undefined): ClientRecord | undefined {
  if (!row) return undefined;
  return {
    clientId: row.client_id,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class SqliteClients implements Clients {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #list: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #revision: SqliteRevision;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare('INSERT INTO clients (client_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?)');
    this.#find = db.prepare('SELECT * FROM clients WHERE client_id = ?');
    this.#list = db.prepare('SELECT * FROM clients ORDER BY created_at, client_id');
    this.#update = db.prepare('UPDATE clients SET metadata = ?, updated_at = ? WHERE client_id = ?');
    this.#remove = db.prepare('DELETE FROM clients WHERE client_id = ?');
    this.#revision = new SqliteRevision(db, 'clients_revision');
  }

  async create(client: ClientRecord): Promise<void> {
    withDuplicateCheck('client', 'client_id', client.clientId, () => this.#insert.run(
      client.clientId, JSON.stringify(client.metadata), client.createdAt.getTime(), client.updatedAt.getTime(),
    ));
    this.#revision.bump();
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    return toClient(this.#find.get(clientId) as ClientRow | undefined);
  }

  async list(): Promise<ClientRecord[]> {
    return (this.#list.all() as unknown as ClientRow[]).map((row) => toClient(row)!);
  }

  async update(clientId: string, metadata: Record<string, unknown>): Promise<ClientRecord> {
    const updatedAt = Date.now();
    if (this.#update.run(JSON.stringify(metadata), updatedAt, clientId).changes === 0) {
      throw new NotFoundError('client', clientId);
    }
    this.#revision.bump();
    return (await this.find(clientId))!;
  }

  async remove(clientId: string): Promise<boolean> {
    const removed = this.#remove.run(clientId).changes === 1;
    if (removed) this.#revision.bump();
    return removed;
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }
}

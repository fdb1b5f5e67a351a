import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { definedFields } from '../defined-fields.ts';
import { NotFoundError } from '../store-errors.ts';
import type { RoleGrant, RoleHolder, RolePatch, RoleRecord, Roles } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import { inImmediateTransaction } from './sqlite-transaction.ts';

interface RoleRow {
  id: string;
  name: string;
  resource: string | null;
  permissions: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

interface GrantRow {
  role_id: string;
  holder_kind: RoleHolder['kind'];
  holder_id: string;
  created_at: number;
}

/** The grants to any of the holders (a JSON array of {kind, id}): every token issued for a person reads them. */
export const GRANTS_TO_SQL = `SELECT * FROM role_grants WHERE (holder_kind, holder_id) IN (
  SELECT json_extract(value, '$.kind'), json_extract(value, '$.id') FROM json_each(?)
) ORDER BY created_at, role_id, holder_kind, holder_id`;

function toRole(row: RoleRow): RoleRecord {
  return {
    id: row.id,
    name: row.name,
    resource: row.resource,
    permissions: JSON.parse(row.permissions) as string[],
    description: row.description,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toGrant(row: GrantRow): RoleGrant {
  return { roleId: row.role_id, holder: { kind: row.holder_kind, id: row.holder_id }, createdAt: new Date(row.created_at) };
}


export class SqliteRoles implements Roles {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #findByName: StatementSync;
  readonly #findMany: StatementSync;
  readonly #list: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeGrantsOfRole: StatementSync;
  readonly #grant: StatementSync;
  readonly #revoke: StatementSync;
  readonly #grantsTo: StatementSync;
  readonly #grantsOf: StatementSync;
  readonly #removeHolder: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO roles (id, name, resource, permissions, description, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM roles WHERE id = ?');
    this.#findByName = db.prepare('SELECT * FROM roles WHERE name = ?');
    this.#findMany = db.prepare('SELECT * FROM roles WHERE id IN (SELECT value FROM json_each(?))');
    this.#list = db.prepare('SELECT * FROM roles ORDER BY name');
    this.#update = db.prepare('UPDATE roles SET name = ?, permissions = ?, description = ?, updated_at = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM roles WHERE id = ?');
    this.#removeGrantsOfRole = db.prepare('DELETE FROM role_grants WHERE role_id = ?');
    // The primary key makes a second grant of the same role to the same holder change nothing, from any process.
    this.#grant = db.prepare(`INSERT INTO role_grants (role_id, holder_kind, holder_id, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT DO NOTHING`);
    this.#revoke = db.prepare('DELETE FROM role_grants WHERE role_id = ? AND holder_kind = ? AND holder_id = ?');
    this.#grantsTo = db.prepare(GRANTS_TO_SQL);
    this.#grantsOf = db.prepare('SELECT * FROM role_grants WHERE role_id = ? ORDER BY created_at, holder_kind, holder_id');
    this.#removeHolder = db.prepare('DELETE FROM role_grants WHERE holder_kind = ? AND holder_id = ?');
  }

  async create(role: RoleRecord): Promise<void> {
    withDuplicateCheck('role', 'name', role.name, () => this.#insert.run(
      role.id, role.name, role.resource, JSON.stringify(role.permissions), role.description, role.createdAt.getTime(), role.updatedAt.getTime(),
    ));
  }

  async find(id: string): Promise<RoleRecord | undefined> {
    const row = this.#find.get(id) as RoleRow | undefined;
    return row && toRole(row);
  }

  async findByName(name: string): Promise<RoleRecord | undefined> {
    const row = this.#findByName.get(name) as RoleRow | undefined;
    return row && toRole(row);
  }

  async findMany(ids: readonly string[]): Promise<RoleRecord[]> {
    if (ids.length === 0) return [];
    return (this.#findMany.all(JSON.stringify(ids)) as unknown as RoleRow[]).map(toRole);
  }

  async list(): Promise<RoleRecord[]> {
    return (this.#list.all() as unknown as RoleRow[]).map(toRole);
  }

  async update(id: string, patch: RolePatch): Promise<RoleRecord> {
    // Read and write under one lock, so a concurrent update from another process is not lost.
    return inImmediateTransaction(this.#db, () => {
      const row = this.#find.get(id) as RoleRow | undefined;
      if (!row) throw new NotFoundError('role', id);
      const next: RoleRecord = { ...toRole(row), ...definedFields(patch, ['name', 'permissions', 'description']), updatedAt: new Date() };
      withDuplicateCheck('role', 'name', next.name, () => this.#update.run(
        next.name, JSON.stringify(next.permissions), next.description, next.updatedAt.getTime(), id,
      ));
      return next;
    });
  }

  async remove(id: string): Promise<boolean> {
    return inImmediateTransaction(this.#db, () => {
      const removed = this.#remove.run(id).changes === 1;
      this.#removeGrantsOfRole.run(id);
      return removed;
    });
  }

  async grant(roleId: string, holder: RoleHolder): Promise<boolean> {
    return this.#grant.run(roleId, holder.kind, holder.id, Date.now()).changes === 1;
  }

  async revoke(roleId: string, holder: RoleHolder): Promise<boolean> {
    return this.#revoke.run(roleId, holder.kind, holder.id).changes === 1;
  }

  async grantsTo(holders: readonly RoleHolder[]): Promise<RoleGrant[]> {
    if (holders.length === 0) return [];
    const pairs = holders.map(({ kind, id }) => ({ kind, id }));
    return (this.#grantsTo.all(JSON.stringify(pairs)) as unknown as GrantRow[]).map(toGrant);
  }

  async grantsOf(roleId: string): Promise<RoleGrant[]> {
    return (this.#grantsOf.all(roleId) as unknown as GrantRow[]).map(toGrant);
  }

  async removeHolder(holder: RoleHolder): Promise<number> {
    return Number(this.#removeHolder.run(holder.kind, holder.id).changes);
  }
}

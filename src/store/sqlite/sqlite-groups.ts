import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { definedFields } from '../defined-fields.ts';
import { NotFoundError } from '../store-errors.ts';
import type { GroupPatch, GroupRecord, Groups } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import { inImmediateTransaction } from './sqlite-transaction.ts';

interface GroupRow {
  id: string;
  name: string;
  parent_id: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

/** The groups an account is directly in: every token issued for a person reads them. */
export const GROUP_IDS_OF_SQL = 'SELECT group_id FROM group_members WHERE account_id = ? ORDER BY group_id';

function toGroup(row: GroupRow): GroupRecord {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parent_id,
    description: row.description,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}


export class SqliteGroups implements Groups {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #findByName: StatementSync;
  readonly #findMany: StatementSync;
  readonly #list: StatementSync;
  readonly #children: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeMembersOfGroup: StatementSync;
  readonly #addMember: StatementSync;
  readonly #removeMember: StatementSync;
  readonly #groupIdsOf: StatementSync;
  readonly #members: StatementSync;
  readonly #removeAccount: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO groups (id, name, parent_id, description, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM groups WHERE id = ?');
    this.#findByName = db.prepare('SELECT * FROM groups WHERE name = ?');
    this.#findMany = db.prepare('SELECT * FROM groups WHERE id IN (SELECT value FROM json_each(?))');
    this.#list = db.prepare('SELECT * FROM groups ORDER BY name');
    this.#children = db.prepare('SELECT * FROM groups WHERE parent_id = ? ORDER BY name');
    this.#update = db.prepare('UPDATE groups SET name = ?, parent_id = ?, description = ?, updated_at = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM groups WHERE id = ?');
    this.#removeMembersOfGroup = db.prepare('DELETE FROM group_members WHERE group_id = ?');
    // The primary key makes a second add of the same pair change nothing, from any process.
    this.#addMember = db.prepare('INSERT INTO group_members (group_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.#removeMember = db.prepare('DELETE FROM group_members WHERE group_id = ? AND account_id = ?');
    this.#groupIdsOf = db.prepare(GROUP_IDS_OF_SQL);
    this.#members = db.prepare('SELECT account_id FROM group_members WHERE group_id = ? AND account_id > ? ORDER BY account_id LIMIT ?');
    this.#removeAccount = db.prepare('DELETE FROM group_members WHERE account_id = ?');
  }

  async create(group: GroupRecord): Promise<void> {
    withDuplicateCheck('group', 'name', group.name, () => this.#insert.run(
      group.id, group.name, group.parentId, group.description, group.createdAt.getTime(), group.updatedAt.getTime(),
    ));
  }

  async find(id: string): Promise<GroupRecord | undefined> {
    const row = this.#find.get(id) as GroupRow | undefined;
    return row && toGroup(row);
  }

  async findByName(name: string): Promise<GroupRecord | undefined> {
    const row = this.#findByName.get(name) as GroupRow | undefined;
    return row && toGroup(row);
  }

  async findMany(ids: readonly string[]): Promise<GroupRecord[]> {
    if (ids.length === 0) return [];
    return (this.#findMany.all(JSON.stringify(ids)) as unknown as GroupRow[]).map(toGroup);
  }

  async list(): Promise<GroupRecord[]> {
    return (this.#list.all() as unknown as GroupRow[]).map(toGroup);
  }

  async children(id: string): Promise<GroupRecord[]> {
    return (this.#children.all(id) as unknown as GroupRow[]).map(toGroup);
  }

  async update(id: string, patch: GroupPatch): Promise<GroupRecord> {
    // Read and write under one lock, so a concurrent update from another process is not lost.
    return inImmediateTransaction(this.#db, () => {
      const row = this.#find.get(id) as GroupRow | undefined;
      if (!row) throw new NotFoundError('group', id);
      const next: GroupRecord = { ...toGroup(row), ...definedFields(patch, ['name', 'parentId', 'description']), updatedAt: new Date() };
      withDuplicateCheck('group', 'name', next.name, () => this.#update.run(
        next.name, next.parentId, next.description, next.updatedAt.getTime(), id,
      ));
      return next;
    });
  }

  async remove(id: string): Promise<boolean> {
    return inImmediateTransaction(this.#db, () => {
      const removed = this.#remove.run(id).changes === 1;
      this.#removeMembersOfGroup.run(id);
      return removed;
    });
  }

  async addMember(groupId: string, accountId: string): Promise<boolean> {
    return this.#addMember.run(groupId, accountId).changes === 1;
  }

  async removeMember(groupId: string, accountId: string): Promise<boolean> {
    return this.#removeMember.run(groupId, accountId).changes === 1;
  }

  async groupIdsOf(accountId: string): Promise<string[]> {
    return (this.#groupIdsOf.all(accountId) as Array<{ group_id: string }>).map((row) => row.group_id);
  }

  async members(groupId: string, limit: number, afterAccountId?: string): Promise<string[]> {
    const rows = this.#members.all(groupId, afterAccountId ?? '', limit) as Array<{ account_id: string }>;
    return rows.map((row) => row.account_id);
  }

  async removeAccount(accountId: string): Promise<number> {
    return Number(this.#removeAccount.run(accountId).changes);
  }
}

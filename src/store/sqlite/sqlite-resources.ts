import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { NotFoundError } from '../store-errors.ts';
import type { ResourcePatch, ResourceRecord, Resources } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import { SqliteRevision } from './sqlite-revision.ts';

interface ResourceRow {
  indicator: string;
  name: string | null;
  scopes: string;
  signing_alg: string;
  access_token_ttl: number | null;
  metadata_uri: string | null;
  rbac: number;
  created_at: number;
  updated_at: number;
}

function toResource(row: ResourceRow | undefined): ResourceRecord | undefined {
  if (!row) return undefined;
  return {
    indicator: row.indicator,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    signingAlg: row.signing_alg,
    accessTokenTtl: row.access_token_ttl,
    ...(row.metadata_uri ? { metadataUri: row.metadata_uri } : {}),
    ...(row.rbac === 1 ? { rbac: true } : {}),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Only the fields a patch gives: an absent key leaves the stored value alone. */
function definedFields(patch: ResourcePatch): ResourcePatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as ResourcePatch;
}

export class SqliteResources implements Resources {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #list: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #revision: SqliteRevision;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(`INSERT INTO resources (indicator, name, scopes, signing_alg, access_token_ttl, metadata_uri, rbac, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM resources WHERE indicator = ?');
    this.#list = db.prepare('SELECT * FROM resources ORDER BY indicator');
    this.#update = db.prepare(`UPDATE resources SET name = ?, scopes = ?, signing_alg = ?, access_token_ttl = ?, metadata_uri = ?, rbac = ?, updated_at = ?
      WHERE indicator = ?`);
    this.#remove = db.prepare('DELETE FROM resources WHERE indicator = ?');
    this.#revision = new SqliteRevision(db, 'resources_revision');
  }

  async create(resource: ResourceRecord): Promise<void> {
    withDuplicateCheck('resource', 'indicator', resource.indicator, () => this.#insert.run(
      resource.indicator, resource.name, JSON.stringify(resource.scopes), resource.signingAlg, resource.accessTokenTtl,
      resource.metadataUri ?? null, resource.rbac === true ? 1 : 0, resource.createdAt.getTime(), resource.updatedAt.getTime(),
    ));
    this.#revision.bump();
  }

  async find(indicator: string): Promise<ResourceRecord | undefined> {
    return toResource(this.#find.get(indicator) as ResourceRow | undefined);
  }

  async list(): Promise<ResourceRecord[]> {
    return (this.#list.all() as unknown as ResourceRow[]).map((row) => toResource(row)!);
  }

  async update(indicator: string, patch: ResourcePatch): Promise<ResourceRecord> {
    const current = await this.find(indicator);
    if (!current) throw new NotFoundError('resource', indicator);
    const { metadataUri, rbac, ...next } = { ...current, ...definedFields(patch), updatedAt: new Date() };
    this.#update.run(
      next.name, JSON.stringify(next.scopes), next.signingAlg, next.accessTokenTtl, metadataUri ?? null, rbac === true ? 1 : 0,
      next.updatedAt.getTime(), indicator,
    );
    this.#revision.bump();
    return { ...next, ...(metadataUri ? { metadataUri } : {}), ...(rbac === true ? { rbac } : {}) };
  }

  async remove(indicator: string): Promise<boolean> {
    const removed = this.#remove.run(indicator).changes === 1;
    if (removed) this.#revision.bump();
    return removed;
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }
}

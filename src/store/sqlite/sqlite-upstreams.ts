import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { NotFoundError } from '../store-errors.ts';
import type { UpstreamPatch, UpstreamRecord, Upstreams } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import { SqliteRevision } from './sqlite-revision.ts';
import { inImmediateTransaction } from './sqlite-transaction.ts';

interface UpstreamRow {
  id: string;
  name: string;
  type: UpstreamRecord['type'];
  enabled: number;
  preset: string | null;
  settings: string;
  sealed_secrets: string;
  provisioning: UpstreamRecord['provisioning'];
  sync: UpstreamRecord['sync'];
  trust_mfa: number;
  mapping: string;
  upstream_logout: number;
  created_at: number;
  updated_at: number;
}

/**
 * Upstreams and the email domains they claim: a domain is the primary key of upstream_domains, so
 * two upstreams can never claim one, and the upstream and its claims change in one transaction.
 */
export class SqliteUpstreams implements Upstreams {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #findByDomain: StatementSync;
  readonly #list: StatementSync;
  readonly #domainsOf: StatementSync;
  readonly #allDomains: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #replaceSecrets: StatementSync;
  readonly #claim: StatementSync;
  readonly #release: StatementSync;
  readonly #revision: SqliteRevision;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO upstreams (id, name, type, enabled, preset, settings, sealed_secrets, provisioning, sync, trust_mfa,
      mapping, upstream_logout, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM upstreams WHERE id = ?');
    this.#findByDomain = db.prepare('SELECT upstream_id FROM upstream_domains WHERE domain = ?');
    this.#list = db.prepare('SELECT * FROM upstreams ORDER BY id');
    this.#domainsOf = db.prepare('SELECT domain FROM upstream_domains WHERE upstream_id = ? ORDER BY domain');
    this.#allDomains = db.prepare('SELECT domain, upstream_id FROM upstream_domains ORDER BY domain');
    this.#update = db.prepare(`UPDATE upstreams SET name = ?, enabled = ?, preset = ?, settings = ?, sealed_secrets = ?, provisioning = ?, sync = ?,
      trust_mfa = ?, mapping = ?, upstream_logout = ?, updated_at = ? WHERE id = ?`);
    this.#remove = db.prepare('DELETE FROM upstreams WHERE id = ?');
    this.#replaceSecrets = db.prepare('UPDATE upstreams SET sealed_secrets = ? WHERE id = ? AND sealed_secrets = ?');
    this.#claim = db.prepare('INSERT INTO upstream_domains (domain, upstream_id) VALUES (?, ?)');
    this.#release = db.prepare('DELETE FROM upstream_domains WHERE upstream_id = ?');
    this.#revision = new SqliteRevision(db, 'upstreams_revision');
  }

  #toUpstream(row: UpstreamRow | undefined, domains?: string[]): UpstreamRecord | undefined {
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      enabled: row.enabled === 1,
      preset: row.preset,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      sealedSecrets: JSON.parse(row.sealed_secrets) as Record<string, string>,
      domains: domains ?? (this.#domainsOf.all(row.id) as unknown as { domain: string }[]).map(({ domain }) => domain),
      provisioning: row.provisioning,
      sync: row.sync,
      trustMfa: row.trust_mfa === 1,
      mapping: JSON.parse(row.mapping) as UpstreamRecord['mapping'],
      upstreamLogout: row.upstream_logout === 1,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  #claimDomains(id: string, domains: readonly string[]): void {
    for (const domain of domains) withDuplicateCheck('upstream', 'domain', domain, () => this.#claim.run(domain, id));
  }

  async create(upstream: UpstreamRecord): Promise<void> {
    inImmediateTransaction(this.#db, () => {
      withDuplicateCheck('upstream', 'id', upstream.id, () => this.#insert.run(
        upstream.id, upstream.name, upstream.type, upstream.enabled ? 1 : 0, upstream.preset, JSON.stringify(upstream.settings),
        JSON.stringify(upstream.sealedSecrets), upstream.provisioning, upstream.sync, upstream.trustMfa ? 1 : 0, JSON.stringify(upstream.mapping),
        upstream.upstreamLogout ? 1 : 0, upstream.createdAt.getTime(), upstream.updatedAt.getTime(),
      ));
      this.#claimDomains(upstream.id, upstream.domains);
      this.#revision.bump();
    });
  }

  async find(id: string): Promise<UpstreamRecord | undefined> {
    return this.#toUpstream(this.#find.get(id) as UpstreamRow | undefined);
  }

  async findByDomain(domain: string): Promise<UpstreamRecord | undefined> {
    const claim = this.#findByDomain.get(domain) as { upstream_id: string } | undefined;
    return claim ? this.find(claim.upstream_id) : undefined;
  }

  async list(): Promise<UpstreamRecord[]> {
    const domains = new Map<string, string[]>();
    for (const { domain, upstream_id: id } of this.#allDomains.all() as unknown as { domain: string; upstream_id: string }[]) {
      domains.set(id, [...domains.get(id) ?? [], domain]);
    }
    return (this.#list.all() as unknown as UpstreamRow[]).map((row) => this.#toUpstream(row, domains.get(row.id) ?? [])!);
  }

  async update(id: string, patch: UpstreamPatch): Promise<UpstreamRecord> {
    return inImmediateTransaction(this.#db, () => {
      const current = this.#toUpstream(this.#find.get(id) as UpstreamRow | undefined);
      if (!current) throw new NotFoundError('upstream', id);
      const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as UpstreamPatch;
      const next: UpstreamRecord = { ...current, ...given, id, type: current.type, createdAt: current.createdAt, updatedAt: new Date() };
      this.#update.run(
        next.name, next.enabled ? 1 : 0, next.preset, JSON.stringify(next.settings), JSON.stringify(next.sealedSecrets), next.provisioning, next.sync,
        next.trustMfa ? 1 : 0, JSON.stringify(next.mapping), next.upstreamLogout ? 1 : 0, next.updatedAt.getTime(), id,
      );
      if (given.domains) {
        this.#release.run(id);
        this.#claimDomains(id, given.domains);
        next.domains = [...given.domains].sort();
      }
      this.#revision.bump();
      return next;
    });
  }

  async replaceSealedSecrets(id: string, expected: Record<string, string>, next: Record<string, string>): Promise<boolean> {
    const replaced = this.#replaceSecrets.run(JSON.stringify(next), id, JSON.stringify(expected)).changes === 1;
    if (replaced) this.#revision.bump();
    return replaced;
  }

  async remove(id: string): Promise<boolean> {
    return inImmediateTransaction(this.#db, () => {
      const removed = this.#remove.run(id).changes === 1;
      this.#release.run(id);
      if (removed) this.#revision.bump();
      return removed;
    });
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }
}

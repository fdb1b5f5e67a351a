import { MongoServerError } from 'mongodb';
import type { Db } from 'mongodb';
import { withMongoDatabase } from './mongo-connection.ts';
import { INDEX_SPECS, indexLabel, satisfies } from './mongo-index-specs.ts';
import type { ExistingIndex, IndexSpec, MatchRules } from './mongo-index-specs.ts';
import { serverFlavor } from './mongo-server-flavor.ts';
import type { ServerFlavor } from './mongo-server-flavor.ts';
import { describeMongoUrl } from './mongo-url.ts';
import { backfillSigningKeySchedule } from './mongo-signing-key-schedule-backfill.ts';

export interface MigrateReport {
  /** One line per index, then a summary; meant to be printed as they are. */
  lines: string[];
}

const NAMESPACE_NOT_FOUND = 26;
const NOT_IMPLEMENTED = 238;
const INDEX_CONFLICT_CODES = new Set([85, 86]); // IndexOptionsConflict, IndexKeySpecsConflict

export class MongoIndexesMissingError extends Error {
  readonly missing: string[];

  constructor(missing: string[]) {
    const shown = missing.length > 6 ? [...missing.slice(0, 6), `and ${missing.length - 6} more`] : missing;
    super(`MongoDB indexes are missing (${shown.join(', ')}): run \`npx keyline migrate\``);
    this.name = 'MongoIndexesMissingError';
    this.missing = missing;
  }
}

/** Creates every index Keyline relies on; indexes already in place are left alone. Safe to run again. */
export async function migrateMongo(url: string): Promise<MigrateReport> {
  return withMongoDatabase(url, async (db) => {
    const flavor = await serverFlavor(db);
    const rules = matchRules(flavor);
    const lines: string[] = [];
    const numbered = await backfillSigningKeySchedule(db);
    if (numbered > 0) lines.push(`numbered ${numbered} signing keys stored before the rotation schedule`);
    const existingByCollection = await existingIndexes(db);
    const tally = { created: 0, present: 0, skipped: 0 };
    for (const spec of INDEX_SPECS) {
      const existing = existingByCollection.get(spec.collection) ?? [];
      if (existing.some((index) => satisfies(index, spec, rules))) {
        tally.present += 1;
        lines.push(`index ${spec.name} on ${spec.collection} already exists`);
        continue;
      }
      const outcome = await createIndex(db, spec, flavor);
      tally[outcome.result] += 1;
      lines.push(outcome.line);
    }
    lines.push(`${flavor.name} ${flavor.version} at ${describeMongoUrl(url)}: ${tally.created} indexes created, `
      + `${tally.present} already there, ${tally.skipped} skipped`);
    return { lines };
  });
}

/**
 * Names (`collection.index`) of the indexes `keyline migrate` has yet to create; empty when all
 * are there. TTL indexes do not count on FerretDB, which cannot have them.
 */
export async function checkMongoIndexes(target: Db | string): Promise<string[]> {
  if (typeof target === 'string') return withMongoDatabase(target, (db) => checkMongoIndexes(db));
  const flavor = await serverFlavor(target);
  const rules = matchRules(flavor);
  const existingByCollection = await existingIndexes(target);
  return INDEX_SPECS
    .filter((spec) => !(spec.ttl && flavor.name === 'FerretDB'))
    .filter((spec) => !(existingByCollection.get(spec.collection) ?? []).some((index) => satisfies(index, spec, rules)))
    .map(indexLabel);
}

/** Whether `keyline migrate` has prepared this database: it holds any of the collections the indexes are on. */
export async function hasKeylineCollections(url: string): Promise<boolean> {
  const names = [...new Set(INDEX_SPECS.map((spec) => spec.collection))];
  return withMongoDatabase(url, async (db) => (await db.listCollections({ name: { $in: names } }, { nameOnly: true }).toArray()).length > 0);
}

/** For server startup: refuses to run on a database `keyline migrate` has not prepared. */
export async function assertMongoIndexes(target: Db | string): Promise<void> {
  const missing = await checkMongoIndexes(target);
  if (missing.length > 0) throw new MongoIndexesMissingError(missing);
}

function matchRules(flavor: ServerFlavor): MatchRules {
  return { compareSparse: flavor.name !== 'FerretDB' };
}

async function existingIndexes(db: Db): Promise<Map<string, ExistingIndex[]>> {
  const collections = [...new Set(INDEX_SPECS.map((spec) => spec.collection))];
  const lists = await Promise.all(collections.map(async (name) => {
    try {
      return await db.collection(name).listIndexes().toArray() as ExistingIndex[];
    } catch (error) {
      if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) return [];
      throw error;
    }
  }));
  return new Map(collections.map((name, position) => [name, lists[position] ?? []]));
}

interface CreateOutcome {
  result: 'created' | 'skipped';
  line: string;
}

async function createIndex(db: Db, spec: IndexSpec, flavor: ServerFlavor): Promise<CreateOutcome> {
  try {
    await db.collection(spec.collection).createIndex(spec.key, {
      name: spec.name,
      ...(spec.unique ? { unique: true } : {}),
      ...(spec.sparse ? { sparse: true } : {}),
      ...(spec.ttl ? { expireAfterSeconds: 0 } : {}),
    });
    return { result: 'created', line: `created index ${spec.name} on ${spec.collection}` };
  } catch (error) {
    if (spec.ttl && isTtlUnsupported(error)) {
      const server = flavor.name === 'FerretDB' ? ' (FerretDB)' : '';
      return {
        result: 'skipped',
        line: `skipped TTL index on ${spec.collection}: server does not support TTL indexes${server}; `
          + 'expired records are still invisible to reads',
      };
    }
    if (error instanceof MongoServerError && typeof error.code === 'number' && INDEX_CONFLICT_CODES.has(error.code)) {
      throw new Error(`index ${spec.name} on ${spec.collection} clashes with an existing index (${error.message}): `
        + 'drop the old index and run `keyline migrate` again', { cause: error });
    }
    throw error;
  }
}

function isTtlUnsupported(error: unknown): boolean {
  return error instanceof MongoServerError
    && (error.code === NOT_IMPLEMENTED || /expireAfterSeconds.*not (implemented|supported)/i.test(error.message));
}

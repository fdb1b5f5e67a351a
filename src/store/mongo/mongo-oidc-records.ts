import type { Filter, MongoServerError } from 'mongodb';
import { DuplicateError } from '../store-errors.ts';
import type { OidcPayload, OidcRecords, OidcRecordSummary, TokenLookup } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { KeylineCollections } from './mongo-collections.ts';
import type { OidcDocument } from './mongo-documents.ts';
import { duplicateKeyFields, isDuplicateKeyError } from './mongo-errors.ts';

/** Payload fields copied beside the JSON so they can be indexed and queried. */
const LOOKUP_FIELDS = ['uid', 'userCode', 'grantId', 'accountId'] as const;
type LookupField = (typeof LOOKUP_FIELDS)[number];

/** Live records only: reads must not depend on the TTL monitor having run (FerretDB has none). */
function liveAt(now: Date): Filter<OidcDocument> {
  return { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
}

function isLive(document: OidcDocument, now: Date): boolean {
  return document.expiresAt === null || document.expiresAt === undefined || document.expiresAt > now;
}

function toPayload(document: OidcDocument | null): OidcPayload | undefined {
  if (!document) return undefined;
  const payload = fromJsonText<OidcPayload>(document.payload);
  // oidc-provider only needs `consumed` truthy; Keyline reads it as the epoch second (with a fraction)
  // of consumption, for the refresh-token reuse interval.
  if (document.consumed) payload.consumed = document.consumed.getTime() / 1000;
  return payload;
}

function duplicateLookup(model: string, id: string, payload: OidcPayload, error: MongoServerError): DuplicateError {
  const candidates = duplicateKeyFields(error) ?? ['uid', 'userCode'];
  const field = candidates.find((name): name is LookupField => (LOOKUP_FIELDS as readonly string[]).includes(name)
    && typeof payload[name] === 'string');
  return field ? new DuplicateError(model, field, String(payload[field])) : new DuplicateError(model, 'id', id);
}

export class MongoOidcRecords implements OidcRecords {
  readonly #collections: KeylineCollections;

  constructor(collections: KeylineCollections) {
    this.#collections = collections;
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    const set: Partial<OidcDocument> = {
      payload: toJsonText(payload),
      expiresAt: expiresInSeconds ? new Date(Date.now() + expiresInSeconds * 1000) : null,
    };
    const unset: Partial<Record<LookupField, ''>> = {};
    for (const field of LOOKUP_FIELDS) {
      const value = payload[field];
      if (typeof value === 'string') set[field] = value;
      else unset[field] = '';
    }
    // `consumed` is left alone: re-saving a consumed record does not make it usable again.
    const update = Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
    try {
      await this.#collections.oidc(model).updateOne({ _id: id }, update, { upsert: true });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw duplicateLookup(model, id, payload, error);
      throw error;
    }
  }

  async find(model: string, id: string): Promise<OidcPayload | undefined> {
    // By _id alone, MongoDB takes its fastest path (and FerretDB its only pushed-down query);
    // expiry is then checked here, as strictly as liveAt would.
    const document = await this.#collections.oidc(model).findOne({ _id: id });
    return document && isLive(document, new Date()) ? toPayload(document) : undefined;
  }

  async findToken(models: readonly string[], id: string): Promise<TokenLookup | undefined> {
    // One collection per model: each is asked at once, by _id.
    const found = await Promise.all(models.map((model) => this.find(model, id)));
    const index = found.findIndex(Boolean);
    if (index < 0) return undefined;
    const payload = found[index]!;
    const [grant, session] = await Promise.all([
      typeof payload.grantId === 'string' ? this.find('Grant', payload.grantId) : undefined,
      typeof payload.sessionUid === 'string' ? this.findByUid('Session', payload.sessionUid) : undefined,
    ]);
    return { model: models[index]!, payload, grant, session };
  }

  async findByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return toPayload(await this.#collections.oidc(model).findOne({ uid, ...liveAt(new Date()) }));
  }

  async findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return toPayload(await this.#collections.oidc(model).findOne({ userCode, ...liveAt(new Date()) }));
  }

  async consume(model: string, id: string): Promise<boolean> {
    const now = new Date();
    // One conditional single-document update: MongoDB applies it atomically, so of many
    // concurrent consumers exactly one matches a record that is not consumed yet.
    const result = await this.#collections.oidc(model).updateOne(
      { _id: id, consumed: { $exists: false }, ...liveAt(now) },
      { $set: { consumed: now } },
    );
    return result.modifiedCount === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#collections.oidc(model).deleteOne({ _id: id });
  }

  async revokeByGrantId(model: string, grantId: string): Promise<number> {
    return (await this.#collections.oidc(model).deleteMany({ grantId })).deletedCount;
  }

  async listByAccount(model: string, accountId: string): Promise<OidcRecordSummary[]> {
    return this.#list(model, { accountId });
  }

  async listByModel(model: string): Promise<OidcRecordSummary[]> {
    return this.#list(model, {});
  }

  async #list(model: string, filter: Filter<OidcDocument>): Promise<OidcRecordSummary[]> {
    const documents = await this.#collections.oidc(model)
      .find({ ...filter, ...liveAt(new Date()) })
      .sort({ expiresAt: -1 })
      .toArray();
    return documents.map((document) => ({
      id: document._id,
      payload: toPayload(document)!,
      expiresAt: document.expiresAt ?? null,
    }));
  }

  async destroyByAccount(accountId: string): Promise<number> {
    return this.#deleteFromEveryModel({ accountId });
  }

  async #deleteFromEveryModel(filter: Filter<OidcDocument>): Promise<number> {
    const results = await Promise.all(this.#collections.allOidc().map((collection) => collection.deleteMany(filter)));
    return results.reduce((total, result) => total + result.deletedCount, 0);
  }
}


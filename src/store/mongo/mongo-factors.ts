import type { Collection } from 'mongodb';
import { DuplicateError } from '../store-errors.ts';
import type { FactorRecord, Factors, FactorType, RecoveryCodes } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { FactorDocument, RecoveryCodeDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toFactor(document: FactorDocument | null): FactorRecord | undefined {
  if (!document) return undefined;
  return {
    id: document._id,
    accountId: document.accountId,
    type: document.type as FactorType,
    name: document.name,
    counter: document.counter,
    credentialId: document.credentialId ?? null,
    data: fromJsonText<Record<string, unknown>>(document.data),
    createdAt: document.createdAt,
    lastUsedAt: document.lastUsedAt,
  };
}

export class MongoFactors implements Factors {
  readonly #factors: Collection<FactorDocument>;

  constructor(factors: Collection<FactorDocument>) {
    this.#factors = factors;
  }

  async add(factor: FactorRecord): Promise<void> {
    try {
      await this.#factors.insertOne({
        _id: factor.id,
        accountId: factor.accountId,
        type: factor.type,
        name: factor.name,
        counter: factor.counter,
        ...(factor.credentialId ? { credentialId: factor.credentialId } : {}),
        data: toJsonText(factor.data),
        createdAt: factor.createdAt,
        lastUsedAt: factor.lastUsedAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('factor', 'credential id', factor.credentialId ?? factor.id);
      throw error;
    }
  }

  async find(id: string): Promise<FactorRecord | undefined> {
    return toFactor(await this.#factors.findOne({ _id: id }));
  }

  async findByCredentialId(credentialId: string): Promise<FactorRecord | undefined> {
    return toFactor(await this.#factors.findOne({ credentialId }));
  }

  async listByAccount(accountId: string): Promise<FactorRecord[]> {
    const documents = await this.#factors.find({ accountId }).sort({ createdAt: 1, _id: 1 }).toArray();
    return documents.map((document) => toFactor(document)!);
  }

  async recordUse(id: string, expected: number, next: number): Promise<boolean> {
    // One conditional single-document update: MongoDB applies it atomically.
    const result = await this.#factors.updateOne({ _id: id, counter: expected }, { $set: { counter: next, lastUsedAt: new Date() } });
    return result.modifiedCount === 1;
  }

  async rename(accountId: string, id: string, name: string): Promise<boolean> {
    return (await this.#factors.updateOne({ _id: id, accountId }, { $set: { name } })).matchedCount === 1;
  }

  async remove(accountId: string, id: string): Promise<boolean> {
    return (await this.#factors.deleteOne({ _id: id, accountId })).deletedCount === 1;
  }

  async removeAllForAccount(accountId: string): Promise<number> {
    return (await this.#factors.deleteMany({ accountId })).deletedCount;
  }
}

const codeId = (accountId: string, codeHash: string) => JSON.stringify([accountId, codeHash]);

export class MongoRecoveryCodes implements RecoveryCodes {
  readonly #codes: Collection<RecoveryCodeDocument>;

  constructor(codes: Collection<RecoveryCodeDocument>) {
    this.#codes = codes;
  }

  async replace(accountId: string, codeHashes: string[]): Promise<void> {
    await this.#codes.deleteMany({ accountId });
    const documents = [...new Set(codeHashes)].map((hash) => ({ _id: codeId(accountId, hash), accountId, usedAt: null }));
    if (documents.length) await this.#codes.insertMany(documents);
  }

  async use(accountId: string, codeHash: string): Promise<boolean> {
    const result = await this.#codes.updateOne({ _id: codeId(accountId, codeHash), usedAt: null }, { $set: { usedAt: new Date() } });
    return result.modifiedCount === 1;
  }

  async countUnused(accountId: string): Promise<number> {
    return this.#codes.countDocuments({ accountId, usedAt: null });
  }

  async removeAllForAccount(accountId: string): Promise<void> {
    await this.#codes.deleteMany({ accountId });
  }
}

import type { Collection } from 'mongodb';
import { DuplicateError } from '../store-errors.ts';
import type { ConsentRecord, Consents, Leases, Secrets, SigningKeys, StoredSigningKey } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { ConsentDocument, LeaseDocument, SecretDocument, SigningKeyDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

export class MongoSigningKeys implements SigningKeys {
  readonly #keys: Collection<SigningKeyDocument>;

  constructor(keys: Collection<SigningKeyDocument>) {
    this.#keys = keys;
  }

  async list(): Promise<StoredSigningKey[]> {
    const documents = await this.#keys.find().sort({ alg: 1, sequence: 1 }).toArray();
    return documents.map((document) => ({
      kid: document._id,
      alg: document.alg,
      sequence: document.sequence,
      privateJwk: document.privateJwk,
      createdAt: document.createdAt,
      activatesAt: document.activatesAt ?? document.createdAt,
      retiredAt: document.retiredAt ?? null,
    }));
  }

  async add(key: StoredSigningKey): Promise<void> {
    try {
      await this.#keys.insertOne({
        _id: key.kid,
        alg: key.alg,
        sequence: key.sequence,
        privateJwk: key.privateJwk,
        createdAt: key.createdAt,
        activatesAt: key.activatesAt,
        retiredAt: key.retiredAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('signing key', 'kid', key.kid);
      throw error;
    }
  }

  async retire(kid: string, at: Date): Promise<boolean> {
    const result = await this.#keys.updateOne({ _id: kid, retiredAt: null }, { $set: { retiredAt: at } });
    return result.modifiedCount === 1;
  }

  async replacePrivateJwk(kid: string, expected: string, next: string): Promise<boolean> {
    const result = await this.#keys.updateOne({ _id: kid, privateJwk: expected }, { $set: { privateJwk: next } });
    return result.modifiedCount === 1;
  }
}

export class MongoSecrets implements Secrets {
  readonly #secrets: Collection<SecretDocument>;

  constructor(secrets: Collection<SecretDocument>) {
    this.#secrets = secrets;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.#secrets.findOne({ _id: name }))?.value;
  }

  async putIfAbsent(name: string, value: string): Promise<string> {
    // An insert on the unique _id is the one write both MongoDB and FerretDB decide atomically:
    // the first writer's value stays, every later writer reads it back.
    try {
      await this.#secrets.insertOne({ _id: name, value, createdAt: new Date() });
      return value;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const stored = await this.get(name);
    if (stored === undefined) throw new Error(`secret "${name}" was taken by another writer and then vanished`);
    return stored;
  }

  async replace(name: string, expected: string, next: string): Promise<boolean> {
    const result = await this.#secrets.updateOne({ _id: name, value: expected }, { $set: { value: next } });
    return result.modifiedCount === 1;
  }

  async names(): Promise<string[]> {
    return (await this.#secrets.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((document) => document._id);
  }
}

export class MongoLeases implements Leases {
  readonly #leases: Collection<LeaseDocument>;

  constructor(leases: Collection<LeaseDocument>) {
    this.#leases = leases;
  }

  async acquire(name: string, holder: string, ttlSeconds: number): Promise<boolean> {
    const now = new Date();
    // Matches only a lease that is ours or has run out; otherwise the upsert's insert hits the
    // unique _id of the other holder's lease, and the answer is no.
    try {
      await this.#leases.updateOne(
        { _id: name, $or: [{ holder }, { expiresAt: { $lte: now } }] },
        { $set: { holder, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async release(name: string, holder: string): Promise<void> {
    await this.#leases.deleteOne({ _id: name, holder });
  }
}

function consentId(accountId: string, clientId: string): string {
  return JSON.stringify([accountId, clientId]);
}

function consentOf(document: ConsentDocument): ConsentRecord {
  return {
    accountId: document.accountId,
    clientId: document.clientId,
    scopes: document.scopes,
    claims: document.claims,
    resources: fromJsonText<Record<string, string[]>>(document.resources),
    updatedAt: document.updatedAt,
  };
}

export class MongoConsents implements Consents {
  readonly #consents: Collection<ConsentDocument>;

  constructor(consents: Collection<ConsentDocument>) {
    this.#consents = consents;
  }

  async find(accountId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const document = await this.#consents.findOne({ _id: consentId(accountId, clientId) });
    return document ? consentOf(document) : undefined;
  }

  async listForAccount(accountId: string): Promise<ConsentRecord[]> {
    const documents = await this.#consents.find({ accountId }).sort({ updatedAt: -1, clientId: 1 }).toArray();
    return documents.map(consentOf);
  }

  async remove(accountId: string, clientId: string): Promise<boolean> {
    return (await this.#consents.deleteOne({ _id: consentId(accountId, clientId) })).deletedCount === 1;
  }

  async save(consent: ConsentRecord): Promise<void> {
    const { accountId, clientId } = consent;
    await this.#consents.replaceOne(
      { _id: consentId(accountId, clientId) },
      {
        accountId,
        clientId,
        scopes: consent.scopes,
        claims: consent.claims,
        resources: toJsonText(consent.resources),
        updatedAt: consent.updatedAt,
      },
      { upsert: true },
    );
  }

  async removeForClient(clientId: string): Promise<void> {
    await this.#consents.deleteMany({ clientId });
  }

  async removeForAccount(accountId: string): Promise<void> {
    await this.#consents.deleteMany({ accountId });
  }
}

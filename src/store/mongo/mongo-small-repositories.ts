import type { Collection } from 'mongodb';
import { DuplicateError } from '../store-errors.ts';
import type { ConsentRecord, Consents, Secrets, SigningKeys, StoredSigningKey } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { ConsentDocument, SecretDocument, SigningKeyDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

export class MongoSigningKeys implements SigningKeys {
  readonly #keys: Collection<SigningKeyDocument>;

  constructor(keys: Collection<SigningKeyDocument>) {
    this.#keys = keys;
  }

  async list(): Promise<StoredSigningKey[]> {
    const documents = await this.#keys.find().sort({ createdAt: 1, _id: 1 }).toArray();
    return documents.map((document) => ({
      kid: document._id,
      alg: document.alg,
      privateJwk: fromJsonText<Record<string, unknown>>(document.privateJwk),
      createdAt: document.createdAt,
    }));
  }

  async add(key: StoredSigningKey): Promise<void> {
    try {
      await this.#keys.insertOne({
        _id: key.kid, alg: key.alg, privateJwk: toJsonText(key.privateJwk), createdAt: key.createdAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('signing key', 'kid', key.kid);
      throw error;
    }
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
}

function consentId(accountId: string, clientId: string): string {
  return JSON.stringify([accountId, clientId]);
}

export class MongoConsents implements Consents {
  readonly #consents: Collection<ConsentDocument>;

  constructor(consents: Collection<ConsentDocument>) {
    this.#consents = consents;
  }

  async find(accountId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const document = await this.#consents.findOne({ _id: consentId(accountId, clientId) });
    if (!document) return undefined;
    return {
      accountId: document.accountId,
      clientId: document.clientId,
      scopes: document.scopes,
      claims: document.claims,
      resources: fromJsonText<Record<string, string[]>>(document.resources),
      updatedAt: document.updatedAt,
    };
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
}

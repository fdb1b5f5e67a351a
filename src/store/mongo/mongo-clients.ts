import type { Collection } from 'mongodb';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type { ClientRecord, Clients } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { ClientDocument, RevisionDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';
import { MongoRevision } from './mongo-revisions.ts';

function toClient(document: ClientDocument | null): ClientRecord | undefined {
  if (!document) return undefined;
  return {
    clientId: document._id,
    metadata: fromJsonText<Record<string, unknown>>(document.metadata),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export class MongoClients implements Clients {
  readonly #clients: Collection<ClientDocument>;
  readonly #revision: MongoRevision;

  constructor(clients: Collection<ClientDocument>, revisions: Collection<RevisionDocument>) {
    this.#clients = clients;
    this.#revision = new MongoRevision(revisions, 'clients');
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }

  async create(client: ClientRecord): Promise<void> {
    try {
      await this.#clients.insertOne({
        _id: client.clientId,
        metadata: toJsonText(client.metadata),
        createdAt: client.createdAt,
        updatedAt: client.updatedAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('client', 'client_id', client.clientId);
      throw error;
    }
    await this.#revision.bump();
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    return toClient(await this.#clients.findOne({ _id: clientId }));
  }

  async list(): Promise<ClientRecord[]> {
    const documents = await this.#clients.find().sort({ createdAt: 1, _id: 1 }).toArray();
    return documents.map((document) => toClient(document)!);
  }

  async update(clientId: string, metadata: Record<string, unknown>): Promise<ClientRecord> {
    const updated = await this.#clients.findOneAndUpdate(
      { _id: clientId },
      { $set: { metadata: toJsonText(metadata), updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new NotFoundError('client', clientId);
    await this.#revision.bump();
    return toClient(updated)!;
  }

  async remove(clientId: string): Promise<boolean> {
    const result = await this.#clients.deleteOne({ _id: clientId });
    if (result.deletedCount === 1) await this.#revision.bump();
    return result.deletedCount === 1;
  }
}

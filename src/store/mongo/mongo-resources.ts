import type { Collection } from 'mongodb';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type { ResourcePatch, ResourceRecord, Resources } from '../store.ts';
import type { ResourceDocument, RevisionDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';
import { MongoRevision } from './mongo-revisions.ts';

function toResource(document: ResourceDocument | null): ResourceRecord | undefined {
  if (!document) return undefined;
  return {
    indicator: document._id,
    name: document.name,
    scopes: document.scopes,
    signingAlg: document.signingAlg,
    accessTokenTtl: document.accessTokenTtl,
    ...(document.metadataUri ? { metadataUri: document.metadataUri } : {}),
    ...(document.rbac === true ? { rbac: true } : {}),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export class MongoResources implements Resources {
  readonly #resources: Collection<ResourceDocument>;
  readonly #revision: MongoRevision;

  constructor(resources: Collection<ResourceDocument>, revisions: Collection<RevisionDocument>) {
    this.#resources = resources;
    this.#revision = new MongoRevision(revisions, 'resources');
  }

  async create(resource: ResourceRecord): Promise<void> {
    try {
      await this.#resources.insertOne({
        _id: resource.indicator,
        name: resource.name,
        scopes: resource.scopes,
        signingAlg: resource.signingAlg,
        accessTokenTtl: resource.accessTokenTtl,
        metadataUri: resource.metadataUri ?? null,
        rbac: resource.rbac === true,
        createdAt: resource.createdAt,
        updatedAt: resource.updatedAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('resource', 'indicator', resource.indicator);
      throw error;
    }
    await this.#revision.bump();
  }

  async find(indicator: string): Promise<ResourceRecord | undefined> {
    return toResource(await this.#resources.findOne({ _id: indicator }));
  }

  async list(): Promise<ResourceRecord[]> {
    const documents = await this.#resources.find().sort({ _id: 1 }).toArray();
    return documents.map((document) => toResource(document)!);
  }

  async update(indicator: string, patch: ResourcePatch): Promise<ResourceRecord> {
    const fields = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const updated = await this.#resources.findOneAndUpdate(
      { _id: indicator },
      { $set: { ...fields, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new NotFoundError('resource', indicator);
    await this.#revision.bump();
    return toResource(updated)!;
  }

  async remove(indicator: string): Promise<boolean> {
    const result = await this.#resources.deleteOne({ _id: indicator });
    if (result.deletedCount === 1) await this.#revision.bump();
    return result.deletedCount === 1;
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }
}

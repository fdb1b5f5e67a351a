import type { Collection } from 'mongodb';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type { UpstreamPatch, UpstreamRecord, Upstreams } from '../store.ts';
import type { RevisionDocument, UpstreamDocument, UpstreamDomainDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';
import { MongoRevision } from './mongo-revisions.ts';

function toUpstream(document: UpstreamDocument | null): UpstreamRecord | undefined {
  if (!document) return undefined;
  const { _id: id, settings, sealedSecrets, mapping, ...rest } = document;
  return {
    id,
    ...rest,
    settings: JSON.parse(settings) as Record<string, unknown>,
    sealedSecrets: JSON.parse(sealedSecrets) as Record<string, string>,
    mapping: JSON.parse(mapping) as UpstreamRecord['mapping'],
  };
}

function toDocument(upstream: UpstreamRecord): UpstreamDocument {
  const { id, settings, sealedSecrets, mapping, ...rest } = upstream;
  return { _id: id, ...rest, settings: JSON.stringify(settings), sealedSecrets: JSON.stringify(sealedSecrets), mapping: JSON.stringify(mapping) };
}

export interface UpstreamCollections {
  upstreams: Collection<UpstreamDocument>;
  upstreamDomains: Collection<UpstreamDomainDocument>;
  revisions: Collection<RevisionDocument>;
}

/**
 * Upstreams and their domain claims. Without a transaction (MongoDB needs a replica set for one)
 * a domain is claimed first, by inserting it under its own `_id`, so of two upstreams claiming one
 * at once exactly one gets it; the upstream is written after, and a write that fails gives back the
 * claims it took. Every filter compares with $eq: an id that arrives as an object names nothing.
 */
export class MongoUpstreams implements Upstreams {
  readonly #upstreams: Collection<UpstreamDocument>;
  readonly #domains: Collection<UpstreamDomainDocument>;
  readonly #revision: MongoRevision;

  constructor(collections: UpstreamCollections) {
    this.#upstreams = collections.upstreams;
    this.#domains = collections.upstreamDomains;
    this.#revision = new MongoRevision(collections.revisions, 'upstreams');
  }

  /** Claims each domain not yet this upstream's; on a clash gives back what it took and throws DuplicateError. */
  async #claim(id: string, domains: readonly string[]): Promise<string[]> {
    const taken: string[] = [];
    for (const domain of domains) {
      try {
        await this.#domains.insertOne({ _id: domain, upstreamId: id });
        taken.push(domain);
      } catch (error) {
        if (!isDuplicateKeyError(error)) {
          await this.#giveBack(id, taken);
          throw error;
        }
        const holder = await this.#domains.findOne({ _id: { $eq: domain } });
        if (holder?.upstreamId !== id) {
          await this.#giveBack(id, taken);
          throw new DuplicateError('upstream', 'domain', domain);
        }
      }
    }
    return taken;
  }

  async #giveBack(id: string, domains: readonly string[]): Promise<void> {
    if (domains.length > 0) await this.#domains.deleteMany({ _id: { $in: [...domains] }, upstreamId: { $eq: id } });
  }

  async create(upstream: UpstreamRecord): Promise<void> {
    if (await this.#upstreams.findOne({ _id: { $eq: upstream.id } }, { projection: { _id: 1 } })) throw new DuplicateError('upstream', 'id', upstream.id);
    const taken = await this.#claim(upstream.id, upstream.domains);
    try {
      await this.#upstreams.insertOne(toDocument(upstream));
    } catch (error) {
      await this.#giveBack(upstream.id, taken);
      if (isDuplicateKeyError(error)) throw new DuplicateError('upstream', 'id', upstream.id);
      throw error;
    }
    await this.#revision.bump();
  }

  async find(id: string): Promise<UpstreamRecord | undefined> {
    return toUpstream(await this.#upstreams.findOne({ _id: { $eq: id } }));
  }

  async findByDomain(domain: string): Promise<UpstreamRecord | undefined> {
    const claim = await this.#domains.findOne({ _id: { $eq: domain } });
    return claim ? this.find(claim.upstreamId) : undefined;
  }

  async list(): Promise<UpstreamRecord[]> {
    return (await this.#upstreams.find().sort({ _id: 1 }).toArray()).map((document) => toUpstream(document)!);
  }

  async update(id: string, patch: UpstreamPatch): Promise<UpstreamRecord> {
    const current = await this.find(id);
    if (!current) throw new NotFoundError('upstream', id);
    const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as UpstreamPatch;
    const next: UpstreamRecord = { ...current, ...given, id, type: current.type, createdAt: current.createdAt, updatedAt: new Date() };
    const taken = given.domains ? await this.#claim(id, given.domains) : [];
    const { _id: _unused, ...fields } = toDocument(next);
    let updated: UpstreamDocument | null;
    try {
      updated = await this.#upstreams.findOneAndUpdate({ _id: { $eq: id } }, { $set: fields }, { returnDocument: 'after' });
    } catch (error) {
      await this.#giveBack(id, taken);
      throw error;
    }
    if (!updated) {
      await this.#giveBack(id, taken);
      throw new NotFoundError('upstream', id);
    }
    if (given.domains) await this.#giveBack(id, current.domains.filter((domain) => !given.domains!.includes(domain)));
    await this.#revision.bump();
    return toUpstream(updated)!;
  }

  async replaceSealedSecrets(id: string, expected: Record<string, string>, next: Record<string, string>): Promise<boolean> {
    const result = await this.#upstreams.updateOne(
      { _id: { $eq: id }, sealedSecrets: { $eq: JSON.stringify(expected) } },
      { $set: { sealedSecrets: JSON.stringify(next) } },
    );
    if (result.modifiedCount === 1) await this.#revision.bump();
    return result.modifiedCount === 1;
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.#upstreams.deleteOne({ _id: { $eq: id } });
    await this.#domains.deleteMany({ upstreamId: { $eq: id } });
    if (result.deletedCount === 1) await this.#revision.bump();
    return result.deletedCount === 1;
  }

  async revision(): Promise<number> {
    return this.#revision.current();
  }
}

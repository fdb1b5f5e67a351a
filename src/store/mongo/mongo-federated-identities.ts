import type { Collection } from 'mongodb';
import type { FederatedIdentities, FederatedIdentityRecord } from '../store.ts';
import type { FederatedIdentityDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

const linkId = (upstreamId: string, subject: string) => JSON.stringify([upstreamId, subject]);

function toIdentity(document: FederatedIdentityDocument): FederatedIdentityRecord {
  const { upstreamId, subject, accountId, linkedAt, lastSignInAt } = document;
  return { upstreamId, subject, accountId, linkedAt, lastSignInAt: lastSignInAt ?? null };
}

/** Linked upstream identities; `_id` is the (upstream, subject) pair, so a link exists once. Every filter compares with $eq. */
export class MongoFederatedIdentities implements FederatedIdentities {
  readonly #identities: Collection<FederatedIdentityDocument>;

  constructor(identities: Collection<FederatedIdentityDocument>) {
    this.#identities = identities;
  }

  async link(identity: FederatedIdentityRecord): Promise<{ identity: FederatedIdentityRecord; created: boolean }> {
    const _id = linkId(identity.upstreamId, identity.subject);
    let created: boolean;
    try {
      const result = await this.#identities.updateOne({ _id: { $eq: _id } }, { $setOnInsert: { _id, ...identity } }, { upsert: true });
      created = result.upsertedCount === 1;
    } catch (error) {
      // Two upserts of one new _id at once: the server lets one insert and refuses the other.
      if (!isDuplicateKeyError(error)) throw error;
      created = false;
    }
    return { identity: (await this.find(identity.upstreamId, identity.subject))!, created };
  }

  async find(upstreamId: string, subject: string): Promise<FederatedIdentityRecord | undefined> {
    const document = await this.#identities.findOne({ _id: { $eq: linkId(upstreamId, subject) } });
    return document ? toIdentity(document) : undefined;
  }

  async listByAccount(accountId: string): Promise<FederatedIdentityRecord[]> {
    const documents = await this.#identities.find({ accountId: { $eq: accountId } }).sort({ linkedAt: 1, _id: 1 }).toArray();
    return documents.map(toIdentity);
  }

  async recordSignIn(upstreamId: string, subject: string, at: Date): Promise<boolean> {
    return (await this.#identities.updateOne({ _id: { $eq: linkId(upstreamId, subject) } }, { $set: { lastSignInAt: at } })).matchedCount === 1;
  }

  async remove(upstreamId: string, subject: string): Promise<boolean> {
    return (await this.#identities.deleteOne({ _id: { $eq: linkId(upstreamId, subject) } })).deletedCount === 1;
  }

  async removeAccount(accountId: string): Promise<number> {
    return (await this.#identities.deleteMany({ accountId: { $eq: accountId } })).deletedCount;
  }

  async anyForUpstream(upstreamId: string): Promise<boolean> {
    return (await this.#identities.findOne({ upstreamId: { $eq: upstreamId } }, { projection: { _id: 1 } })) !== null;
  }

  async removeUpstream(upstreamId: string): Promise<number> {
    return (await this.#identities.deleteMany({ upstreamId: { $eq: upstreamId } })).deletedCount;
  }
}

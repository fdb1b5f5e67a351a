import type { Collection } from 'mongodb';
import { definedFields } from '../defined-fields.ts';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type { GroupPatch, GroupRecord, Groups } from '../store.ts';
import type { GroupDocument, GroupMemberDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toGroup(document: GroupDocument): GroupRecord {
  const { _id: id, name, parentId, description, createdAt, updatedAt } = document;
  return { id, name, parentId, description, createdAt, updatedAt };
}


const membershipId = (groupId: string, accountId: string) => JSON.stringify([groupId, accountId]);

export interface GroupCollections {
  groups: Collection<GroupDocument>;
  groupMembers: Collection<GroupMemberDocument>;
}

/** Every filter compares with $eq: an id that arrives as an object names nothing, never a query that matches many. */
export class MongoGroups implements Groups {
  readonly #groups: Collection<GroupDocument>;
  readonly #members: Collection<GroupMemberDocument>;

  constructor(collections: GroupCollections) {
    this.#groups = collections.groups;
    this.#members = collections.groupMembers;
  }

  async create(group: GroupRecord): Promise<void> {
    const { id, ...fields } = group;
    try {
      await this.#groups.insertOne({ _id: id, ...fields });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('group', 'name', group.name);
      throw error;
    }
  }

  async find(id: string): Promise<GroupRecord | undefined> {
    const document = await this.#groups.findOne({ _id: { $eq: id } });
    return document ? toGroup(document) : undefined;
  }

  async findByName(name: string): Promise<GroupRecord | undefined> {
    const document = await this.#groups.findOne({ name: { $eq: name } });
    return document ? toGroup(document) : undefined;
  }

  async findMany(ids: readonly string[]): Promise<GroupRecord[]> {
    if (ids.length === 0) return [];
    return (await this.#groups.find({ _id: { $in: [...ids] } }).toArray()).map(toGroup);
  }

  async list(): Promise<GroupRecord[]> {
    return (await this.#groups.find().sort({ name: 1 }).toArray()).map(toGroup);
  }

  async children(id: string): Promise<GroupRecord[]> {
    return (await this.#groups.find({ parentId: { $eq: id } }).sort({ name: 1 }).toArray()).map(toGroup);
  }

  async update(id: string, patch: GroupPatch): Promise<GroupRecord> {
    const fields = definedFields(patch, ['name', 'parentId', 'description']);
    let updated: GroupDocument | null;
    try {
      updated = await this.#groups.findOneAndUpdate({ _id: { $eq: id } }, { $set: { ...fields, updatedAt: new Date() } }, { returnDocument: 'after' });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('group', 'name', fields.name ?? '');
      throw error;
    }
    if (!updated) throw new NotFoundError('group', id);
    return toGroup(updated);
  }

  /**
   * The group goes first, then its memberships: without a transaction (MongoDB needs a replica set
   * for one) a membership added in between outlives the group, but names a group id that no longer
   * exists and is never reused, so it gives nobody anything (readers look the groups up).
   */
  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.#groups.deleteOne({ _id: { $eq: id } });
    await this.#members.deleteMany({ groupId: { $eq: id } });
    return deletedCount === 1;
  }

  async addMember(groupId: string, accountId: string): Promise<boolean> {
    try {
      await this.#members.insertOne({ _id: membershipId(groupId, accountId), groupId, accountId });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async removeMember(groupId: string, accountId: string): Promise<boolean> {
    return (await this.#members.deleteOne({ _id: membershipId(groupId, accountId) })).deletedCount === 1;
  }

  async groupIdsOf(accountId: string): Promise<string[]> {
    const documents = await this.#members.find({ accountId: { $eq: accountId } }, { projection: { groupId: 1 } }).sort({ groupId: 1 }).toArray();
    return documents.map((document) => document.groupId);
  }

  async members(groupId: string, limit: number, afterAccountId?: string): Promise<string[]> {
    // limit(0) would mean "no limit" to MongoDB.
    if (limit <= 0) return [];
    const documents = await this.#members.find({ groupId: { $eq: groupId }, accountId: { $gt: afterAccountId ?? '' } }, { projection: { accountId: 1 } })
      .sort({ accountId: 1 }).limit(limit).toArray();
    return documents.map((document) => document.accountId);
  }

  async removeAccount(accountId: string): Promise<number> {
    return (await this.#members.deleteMany({ accountId: { $eq: accountId } })).deletedCount;
  }
}

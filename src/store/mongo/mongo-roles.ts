import type { Collection } from 'mongodb';
import { definedFields } from '../defined-fields.ts';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type { RoleGrant, RoleHolder, RolePatch, RoleRecord, Roles } from '../store.ts';
import type { RoleDocument, RoleGrantDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toRole(document: RoleDocument): RoleRecord {
  const { _id: id, name, resource, permissions, description, createdAt, updatedAt } = document;
  return { id, name, resource, permissions, description, createdAt, updatedAt };
}

function toGrant(document: RoleGrantDocument): RoleGrant {
  return { roleId: document.roleId, holder: { kind: document.holderKind, id: document.holderId }, createdAt: document.createdAt };
}


const grantId = (roleId: string, holder: RoleHolder) => JSON.stringify([roleId, holder.kind, holder.id]);

export interface RoleCollections {
  roles: Collection<RoleDocument>;
  roleGrants: Collection<RoleGrantDocument>;
}

/** Every filter compares with $eq: an id that arrives as an object names nothing, never a query that matches many. */
export class MongoRoles implements Roles {
  readonly #roles: Collection<RoleDocument>;
  readonly #grants: Collection<RoleGrantDocument>;

  constructor(collections: RoleCollections) {
    this.#roles = collections.roles;
    this.#grants = collections.roleGrants;
  }

  async create(role: RoleRecord): Promise<void> {
    const { id, ...fields } = role;
    try {
      await this.#roles.insertOne({ _id: id, ...fields });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('role', 'name', role.name);
      throw error;
    }
  }

  async find(id: string): Promise<RoleRecord | undefined> {
    const document = await this.#roles.findOne({ _id: { $eq: id } });
    return document ? toRole(document) : undefined;
  }

  async findByName(name: string): Promise<RoleRecord | undefined> {
    const document = await this.#roles.findOne({ name: { $eq: name } });
    return document ? toRole(document) : undefined;
  }

  async findMany(ids: readonly string[]): Promise<RoleRecord[]> {
    if (ids.length === 0) return [];
    return (await this.#roles.find({ _id: { $in: [...ids] } }).toArray()).map(toRole);
  }

  async list(): Promise<RoleRecord[]> {
    return (await this.#roles.find().sort({ name: 1 }).toArray()).map(toRole);
  }

  async update(id: string, patch: RolePatch): Promise<RoleRecord> {
    const fields = definedFields(patch, ['name', 'permissions', 'description']);
    let updated: RoleDocument | null;
    try {
      updated = await this.#roles.findOneAndUpdate({ _id: { $eq: id } }, { $set: { ...fields, updatedAt: new Date() } }, { returnDocument: 'after' });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('role', 'name', fields.name ?? '');
      throw error;
    }
    if (!updated) throw new NotFoundError('role', id);
    return toRole(updated);
  }

  /**
   * The role goes first, then its grants: without a transaction a grant made in between outlives
   * the role, but names a role id that no longer exists and is never reused, so it grants nothing
   * (readers look the roles up).
   */
  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.#roles.deleteOne({ _id: { $eq: id } });
    await this.#grants.deleteMany({ roleId: { $eq: id } });
    return deletedCount === 1;
  }

  async grant(roleId: string, holder: RoleHolder): Promise<boolean> {
    try {
      await this.#grants.insertOne({ _id: grantId(roleId, holder), roleId, holderKind: holder.kind, holderId: holder.id, createdAt: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async revoke(roleId: string, holder: RoleHolder): Promise<boolean> {
    return (await this.#grants.deleteOne({ _id: grantId(roleId, holder) })).deletedCount === 1;
  }

  async grantsTo(holders: readonly RoleHolder[]): Promise<RoleGrant[]> {
    if (holders.length === 0) return [];
    const filter = { $or: holders.map((holder) => ({ holderKind: { $eq: holder.kind }, holderId: { $eq: holder.id } })) };
    return (await this.#grants.find(filter).sort({ createdAt: 1, _id: 1 }).toArray()).map(toGrant);
  }

  async grantsOf(roleId: string): Promise<RoleGrant[]> {
    return (await this.#grants.find({ roleId: { $eq: roleId } }).sort({ createdAt: 1, _id: 1 }).toArray()).map(toGrant);
  }

  async removeHolder(holder: RoleHolder): Promise<number> {
    return (await this.#grants.deleteMany({ holderKind: { $eq: holder.kind }, holderId: { $eq: holder.id } })).deletedCount;
  }
}

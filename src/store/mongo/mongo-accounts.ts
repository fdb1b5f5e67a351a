import type { Collection, Filter } from 'mongodb';
import { DuplicateError, NotFoundError } from '../store-errors.ts';
import type {
  AccountAttributes, AccountPageQuery, AccountPatch, AccountRecord, Accounts,
} from '../store.ts';
import type { AccountDocument } from './mongo-documents.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import { duplicateKeyFields, isDuplicateKeyError } from './mongo-errors.ts';

function toAccount(document: AccountDocument | null): AccountRecord | undefined {
  if (!document) return undefined;
  const { _id: id, email, name, passwordHash, disabled, createdAt, updatedAt } = document;
  const profile = fromJsonText<AccountRecord['profile']>(document.profile ?? '{}');
  const attributes = fromJsonText<AccountAttributes>(document.attributes ?? '{}');
  return {
    id, email, emailVerified: document.emailVerified === true, name, profile, passwordHash, disabled, createdAt, updatedAt,
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

/** Only the patchable fields that are actually given: a stray key must not overwrite the id or the email. */
function patchFields(patch: AccountPatch): AccountPatch {
  const fields: AccountPatch = {};
  if (patch.name !== undefined) fields.name = patch.name;
  if (patch.passwordHash !== undefined) fields.passwordHash = patch.passwordHash;
  if (patch.emailVerified !== undefined) fields.emailVerified = patch.emailVerified;
  if (patch.profile !== undefined) fields.profile = patch.profile;
  if (patch.attributes !== undefined) fields.attributes = patch.attributes;
  if (patch.disabled !== undefined) fields.disabled = patch.disabled;
  return fields;
}

function documentFields(patch: AccountPatch): Partial<AccountDocument> {
  const { profile, attributes, emailVerified, ...plain } = patchFields(patch);
  return {
    ...plain,
    ...(attributes !== undefined ? { attributes: toJsonText(attributes) } : {}),
    ...(emailVerified !== undefined ? { emailVerified } : {}),
    ...(profile !== undefined ? { profile: toJsonText(profile) } : {}),
  };
}

export class MongoAccounts implements Accounts {
  readonly #accounts: Collection<AccountDocument>;

  constructor(accounts: Collection<AccountDocument>) {
    this.#accounts = accounts;
  }

  async create(account: AccountRecord): Promise<void> {
    const { id, email, name, passwordHash, disabled, createdAt, updatedAt } = account;
    try {
      await this.#accounts.insertOne({
        _id: id, email, emailVerified: account.emailVerified, name, profile: toJsonText(account.profile),
        attributes: toJsonText(account.attributes ?? {}), passwordHash, disabled, createdAt, updatedAt,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // FerretDB does not say which unique index was hit: then it is the id only if that id exists.
      const fields = duplicateKeyFields(error);
      const idTaken = fields ? fields.includes('_id') : (await this.#accounts.countDocuments({ _id: id })) > 0;
      throw idTaken ? new DuplicateError('account', 'id', id) : new DuplicateError('account', 'email', email);
    }
  }

  async findById(id: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.#accounts.findOne({ _id: id }));
  }

  async findByEmail(email: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.#accounts.findOne({ email }));
  }

  async list(): Promise<AccountRecord[]> {
    const documents = await this.#accounts.find().sort({ email: 1 }).toArray();
    return documents.map((document) => toAccount(document)!);
  }

  async page(query: AccountPageQuery): Promise<AccountRecord[]> {
    // The searched text is taken literally: every regular-expression character is escaped.
    const contains = query.emailContains ? { $regex: query.emailContains.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&') } : {};
    const filter: Filter<AccountDocument> = { email: { $gt: query.afterEmail ?? '', ...contains } };
    const documents = await this.#accounts.find(filter).sort({ email: 1 }).limit(query.limit).toArray();
    return documents.map((document) => toAccount(document)!);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#accounts.deleteOne({ _id: id })).deletedCount === 1;
  }

  async replaceAttributes(id: string, expected: AccountAttributes, next: AccountAttributes): Promise<boolean> {
    // The stored text is always toJsonText of the map; a document from before attributes existed has none.
    const stored = Object.keys(expected).length > 0 ? { $eq: toJsonText(expected) } : { $in: [toJsonText({}), null] };
    const replaced = await this.#accounts.updateOne(
      { _id: { $eq: id }, attributes: stored } as Filter<AccountDocument>,
      { $set: { attributes: toJsonText(next), updatedAt: new Date() } },
    );
    if (replaced.matchedCount === 1) return true;
    if (!await this.#accounts.findOne({ _id: { $eq: id } }, { projection: { _id: 1 } })) throw new NotFoundError('account', id);
    return false;
  }

  async update(id: string, patch: AccountPatch): Promise<AccountRecord> {
    const updated = await this.#accounts.findOneAndUpdate(
      { _id: id },
      { $set: { ...documentFields(patch), updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new NotFoundError('account', id);
    return toAccount(updated)!;
  }
}

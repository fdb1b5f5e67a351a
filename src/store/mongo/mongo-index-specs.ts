import { COLLECTION_NAMES, OIDC_MODELS, oidcCollectionName } from './mongo-collections.ts';

export interface IndexSpec {
  collection: string;
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  /** Leaves out documents without the field, so only records that have one must be unique. */
  sparse?: boolean;
  /** A TTL index on a date field: documents go once that date has passed. */
  ttl?: boolean;
}

/** What listIndexes reports about one index. */
export interface ExistingIndex {
  name?: string;
  key: Record<string, unknown>;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
}

function expiryIndex(collection: string): IndexSpec {
  return { collection, name: 'expiresAt_ttl', key: { expiresAt: 1 }, ttl: true };
}

function oidcIndexes(): IndexSpec[] {
  return OIDC_MODELS.flatMap((model) => {
    const collection = oidcCollectionName(model);
    const specs: IndexSpec[] = [
      expiryIndex(collection),
      { collection, name: 'grantId', key: { grantId: 1 } },
      // Serves destroyByAccount, and listByAccount's newest-first order.
      { collection, name: 'accountId_expiresAt', key: { accountId: 1, expiresAt: -1 } },
    ];
    if (model === 'Session') specs.push({ collection, name: 'uid_unique', key: { uid: 1 }, unique: true, sparse: true });
    if (model === 'DeviceCode') {
      specs.push({ collection, name: 'userCode_unique', key: { userCode: 1 }, unique: true, sparse: true });
    }
    return specs;
  });
}

/** Every index Keyline's queries and uniqueness rules rely on. `_id` is unique by itself. */
export const INDEX_SPECS: readonly IndexSpec[] = [
  ...oidcIndexes(),
  { collection: COLLECTION_NAMES.accounts, name: 'email_unique', key: { email: 1 }, unique: true },
  {
    collection: COLLECTION_NAMES.consents, name: 'accountId_clientId_unique', key: { accountId: 1, clientId: 1 }, unique: true,
  },
  { collection: COLLECTION_NAMES.consents, name: 'clientId', key: { clientId: 1 } },
  expiryIndex(COLLECTION_NAMES.counters),
  { collection: COLLECTION_NAMES.factors, name: 'accountId_createdAt', key: { accountId: 1, createdAt: 1 } },
  { collection: COLLECTION_NAMES.factors, name: 'credentialId_unique', key: { credentialId: 1 }, unique: true, sparse: true },
  { collection: COLLECTION_NAMES.recoveryCodes, name: 'accountId', key: { accountId: 1 } },
  {
    collection: COLLECTION_NAMES.signingKeys, name: 'alg_sequence_unique', key: { alg: 1, sequence: 1 }, unique: true,
  },
  // A unique seq refuses a second sealer's link; sparse, because unlinked events have none.
  { collection: COLLECTION_NAMES.auditEvents, name: 'seq_unique', key: { seq: 1 }, unique: true, sparse: true },
  { collection: COLLECTION_NAMES.auditEvents, name: 'pending_occurredAt', key: { pending: 1, occurredAt: 1, _id: 1 }, sparse: true },
  { collection: COLLECTION_NAMES.auditEvents, name: 'occurredAt', key: { occurredAt: -1 } },
  { collection: COLLECTION_NAMES.auditEvents, name: 'accountId_occurredAt', key: { accountId: 1, occurredAt: -1 } },
  { collection: COLLECTION_NAMES.auditEvents, name: 'email_occurredAt', key: { email: 1, occurredAt: -1 } },
  { collection: COLLECTION_NAMES.auditEvents, name: 'type_occurredAt', key: { type: 1, occurredAt: -1 } },
  // The outbox: claims look for the oldest due pending job; a dedupe key is kept once.
  { collection: COLLECTION_NAMES.jobs, name: 'state_runAfter', key: { state: 1, runAfter: 1 } },
  { collection: COLLECTION_NAMES.jobs, name: 'state_updatedAt', key: { state: 1, updatedAt: 1 } },
  { collection: COLLECTION_NAMES.jobs, name: 'createdAt', key: { createdAt: -1 } },
  { collection: COLLECTION_NAMES.jobs, name: 'dedupeKey_unique', key: { dedupeKey: 1 }, unique: true, sparse: true },
  { collection: COLLECTION_NAMES.streams, name: 'clientId_createdAt', key: { clientId: 1, createdAt: 1 } },
  { collection: COLLECTION_NAMES.streamSubjects, name: 'streamId', key: { streamId: 1 } },
  { collection: COLLECTION_NAMES.heldSets, name: 'streamId_createdAt', key: { streamId: 1, createdAt: 1 } },
  // Authorization (issue 20): names are unique; a membership or grant exists once (its `_id` is the
  // tuple too, so this holds even before migrate), and a person's groups and grants are read by index.
  { collection: COLLECTION_NAMES.groups, name: 'name_unique', key: { name: 1 }, unique: true },
  { collection: COLLECTION_NAMES.groups, name: 'parentId', key: { parentId: 1 } },
  {
    collection: COLLECTION_NAMES.groupMembers, name: 'groupId_accountId_unique', key: { groupId: 1, accountId: 1 }, unique: true,
  },
  { collection: COLLECTION_NAMES.groupMembers, name: 'accountId', key: { accountId: 1 } },
  { collection: COLLECTION_NAMES.roles, name: 'name_unique', key: { name: 1 }, unique: true },
  {
    collection: COLLECTION_NAMES.roleGrants,
    name: 'roleId_holderKind_holderId_unique',
    key: { roleId: 1, holderKind: 1, holderId: 1 },
    unique: true,
  },
  { collection: COLLECTION_NAMES.roleGrants, name: 'holderKind_holderId', key: { holderKind: 1, holderId: 1 } },
  // Federation (issue 22): a domain's claim is its `_id`; an upstream's claims are read by upstream.
  // A link is unique per (upstream, subject) (its `_id` is the pair too) and read by account.
  { collection: COLLECTION_NAMES.upstreamDomains, name: 'upstreamId', key: { upstreamId: 1 } },
  {
    collection: COLLECTION_NAMES.federatedIdentities, name: 'upstreamId_subject_unique', key: { upstreamId: 1, subject: 1 }, unique: true,
  },
  { collection: COLLECTION_NAMES.federatedIdentities, name: 'accountId_linkedAt', key: { accountId: 1, linkedAt: 1 } },
];

export function indexLabel(spec: IndexSpec): string {
  return `${spec.collection}.${spec.name}`;
}

export interface MatchRules {
  /** FerretDB v1 honours `sparse` on creation but does not report it back. */
  compareSparse: boolean;
}

/** Whether an existing index does the spec's job, whatever it is named. */
export function satisfies(existing: ExistingIndex, spec: IndexSpec, rules: MatchRules): boolean {
  const existingKey = Object.entries(existing.key).map(([field, order]) => `${field}:${Number(order)}`).join(',');
  const wantedKey = Object.entries(spec.key).map(([field, order]) => `${field}:${order}`).join(',');
  if (existingKey !== wantedKey) return false;
  if (Boolean(existing.unique) !== Boolean(spec.unique)) return false;
  if (rules.compareSparse && Boolean(existing.sparse) !== Boolean(spec.sparse)) return false;
  return spec.ttl ? existing.expireAfterSeconds === 0 : existing.expireAfterSeconds === undefined;
}

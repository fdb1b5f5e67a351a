import type { GroupRecord, RoleHolder, RoleRecord, StreamRecord, UpstreamRecord } from '../store.ts';

/**
 * The shape of each collection's documents. `_id` is always the record's own string id.
 * Free-form objects whose keys the caller chooses (oidc payloads, client metadata, JWKs,
 * resource maps) are stored as JSON text: FerretDB and MongoDB before 5.0 reject keys that
 * contain '.' or start with '$' (resource indicators are URLs), and JSON keeps the very
 * round-trip semantics of the SQLite backend.
 */

export interface OidcDocument {
  _id: string;
  /** JSON text of the payload. */
  payload: string;
  /** Copies of the payload fields we look records up by; absent when the payload has none. */
  uid?: string;
  userCode?: string;
  grantId?: string;
  accountId?: string;
  consumed?: Date;
  /** null: never expires. */
  expiresAt: Date | null;
}

export interface AccountDocument {
  _id: string;
  email: string;
  emailVerified?: boolean;
  name: string | null;
  /** JSON text of the standard claims (absent in documents from before they existed). */
  profile?: string;
  /** JSON text of the custom attributes (absent in documents from before they existed). */
  attributes?: string;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClientDocument {
  _id: string;
  /** JSON text of the metadata. */
  metadata: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResourceDocument {
  /** The resource indicator. */
  _id: string;
  name: string | null;
  scopes: string[];
  signingAlg: string;
  accessTokenTtl: number | null;
  /** Absent on resources stored before it existed, and on those without metadata. */
  metadataUri?: string | null;
  /** Absent on resources stored before it existed. */
  rbac?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface SigningKeyDocument {
  _id: string;
  alg: string;
  /** Unique per algorithm (index alg_sequence_unique); `keyline migrate` numbers keys stored before it existed. */
  sequence: number;
  /** The sealed private JWK (JSON text in stores written before encryption). */
  privateJwk: string;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
}

export interface SecretDocument {
  _id: string;
  value: string;
  createdAt: Date;
}

export interface ConsentDocument {
  /** JSON text of [accountId, clientId]: one consent per pair even before indexes exist. */
  _id: string;
  accountId: string;
  clientId: string;
  scopes: string[];
  claims: string[];
  /** JSON text of resource indicator -> granted scopes. */
  resources: string;
  updatedAt: Date;
}

export interface CounterDocument {
  _id: string;
  count: number;
  /** The end of the counter's window, which is also when the document may be cleaned up. */
  expiresAt: Date;
}

/** A revision number Keyline keeps beside a collection (`_id` names what it counts). */
export interface RevisionDocument {
  _id: string;
  revision: number;
}

export interface FactorDocument {
  _id: string;
  accountId: string;
  type: string;
  name: string;
  counter: number;
  /** Absent for factors that are not passkeys (the unique index is sparse). */
  credentialId?: string;
  /** JSON text of the type-specific data. */
  data: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface RecoveryCodeDocument {
  /** JSON text of [accountId, codeHash]: one record per code. */
  _id: string;
  accountId: string;
  usedAt: Date | null;
}

export interface AuditEventDocument {
  _id: string;
  occurredAt: Date;
  type: string;
  actor: string;
  accountId: string | null;
  email: string | null;
  clientId: string | null;
  requestId: string | null;
  ip: string | null;
  /** JSON text of the event's data. */
  data: string;
  /** Present (true) until the sealer links the event: a sparse index then finds the unlinked ones. */
  pending?: true;
  seq?: number;
  prevHash?: string;
  hash?: string;
}

export interface AuditCheckpointDocument {
  /** `<kind>:<seq>` */
  _id: string;
  kind: 'head' | 'pruned';
  seq: number;
  hash: string;
  signedAt: Date;
  jws: string;
}

export interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export interface JobDocument {
  _id: string;
  kind: string;
  /** JSON text of the payload. */
  payload: string;
  state: 'pending' | 'done' | 'dead';
  /** Absent when the job has none (the unique index is sparse). */
  dedupeKey?: string;
  attempts: number;
  maxAttempts: number;
  /** When a pending job is due; while claimed, the end of the lease. */
  runAfter: Date;
  leaseHolder: string | null;
  leaseToken: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A stream as the contract has it, under `_id`; the sealed authorization header stays sealed. */
export type StreamDocument = Omit<StreamRecord, 'id'> & { _id: string };

export interface StreamSubjectDocument {
  /** JSON text of [streamId, subjectKey]. */
  _id: string;
  streamId: string;
  included: boolean;
}

export interface HeldSetDocument {
  /** JSON text of [streamId, jti]: a SET is held once per stream even before indexes exist. */
  _id: string;
  streamId: string;
  jti: string;
  /** JSON text of the SET's claims. */
  claims: string;
  createdAt: Date;
}

/** A group as the contract has it, under `_id`; `name` is unique (index name_unique). */
export type GroupDocument = Omit<GroupRecord, 'id'> & { _id: string };

export interface GroupMemberDocument {
  /** JSON text of [groupId, accountId]: a membership exists once even before indexes exist. */
  _id: string;
  groupId: string;
  accountId: string;
}

/** A role as the contract has it, under `_id`; `name` is unique (index name_unique). */
export type RoleDocument = Omit<RoleRecord, 'id'> & { _id: string };

export interface RoleGrantDocument {
  /** JSON text of [roleId, holderKind, holderId]: a grant exists once even before indexes exist. */
  _id: string;
  roleId: string;
  holderKind: RoleHolder['kind'];
  holderId: string;
  createdAt: Date;
}

/**
 * An upstream under `_id`. Settings, sealed secrets and the mapping are JSON text (claim names are
 * often URLs, which MongoDB field names cannot be); `domains` repeats its claims in upstream_domains.
 */
export interface UpstreamDocument extends Omit<UpstreamRecord, 'id' | 'settings' | 'sealedSecrets' | 'mapping'> {
  _id: string;
  settings: string;
  sealedSecrets: string;
  mapping: string;
}

/** One claimed email domain under `_id`: a domain is claimed once, by one upstream. */
export interface UpstreamDomainDocument {
  _id: string;
  upstreamId: string;
}

export interface FederatedIdentityDocument {
  /** JSON text of [upstreamId, subject]: a link exists once even before indexes exist. */
  _id: string;
  upstreamId: string;
  subject: string;
  accountId: string;
  linkedAt: Date;
  lastSignInAt: Date | null;
}

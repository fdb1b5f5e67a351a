import type { AccountProfile } from '../accounts/profile-claims.ts';

/**
 * The storage contract. Everything Keyline persists goes through this interface;
 * test/contract/ holds the one suite that every backend must pass.
 *
 * Shared semantics:
 * - a read never returns an expired record, whether or not cleanup has run;
 * - `consume` is atomic: of many concurrent consumers exactly one gets `true`;
 * - a duplicate unique value throws DuplicateError; ids are strings.
 */

/** What oidc-provider stores for a model instance (a session, a grant, a token...). */
export interface OidcPayload {
  [key: string]: unknown;
  uid?: string;
  userCode?: string;
  grantId?: string;
  accountId?: string;
  consumed?: unknown;
}

export interface OidcRecordSummary {
  id: string;
  payload: OidcPayload;
  expiresAt: Date | null;
}

/** oidc-provider's adapter operations, keyed by model name. */
/** A token found by its value, with the live Grant it names (`grantId`) and Session it expires with (`sessionUid`). */
export interface TokenLookup {
  model: string;
  payload: OidcPayload;
  grant: OidcPayload | undefined;
  session: OidcPayload | undefined;
}

export interface OidcRecords {
  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<OidcPayload | undefined>;
  /**
   * The live record stored under `id` in the first of `models` that has one (a token value is the
   * id of one model's record), with its Grant and Session, in as few reads as the backend can:
   * one statement on SQLite, the token and then both others at once on MongoDB. The same records
   * `find`/`findByUid` would return at this moment.
   */
  findToken(models: readonly string[], id: string): Promise<TokenLookup | undefined>;
  findByUid(model: string, uid: string): Promise<OidcPayload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined>;
  /** Marks the record consumed; true only for the one caller that consumed it first. */
  consume(model: string, id: string): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  /**
   * Removes the model's records that belong to the grant; returns how many. Per model, as
   * oidc-provider's adapter API is: the library calls it for each token model it means to revoke.
   */
  revokeByGrantId(model: string, grantId: string): Promise<number>;
  /** Live records of one model that belong to an account, newest first. */
  listByAccount(model: string, accountId: string): Promise<OidcRecordSummary[]>;
  /** Every live record of one model, soonest to expire last (for operators' listings and `keyline migrate`). */
  listByModel(model: string): Promise<OidcRecordSummary[]>;
  /** Removes every record (sessions, grants, codes, tokens) that belongs to an account; returns how many. */
  destroyByAccount(accountId: string): Promise<number>;
}

export interface AccountRecord {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  /** True once the owner proved the address (or an administrator vouched for it). */
  emailVerified: boolean;
  name: string | null;
  /** The other OpenID Connect standard claims, by claim name; absent claims are absent. */
  profile: AccountProfile;
  passwordHash: string;
  disabled: boolean;
  /**
   * The operator's custom attributes (config `attributes:`), by name. Readers leave the key out
   * when the account has none; a patch replaces the whole map.
   */
  attributes?: AccountAttributes;
  createdAt: Date;
  updatedAt: Date;
}

/** A custom attribute's value: string, number, boolean, string[], or a date as `YYYY-MM-DD`. */
export type AttributeValue = string | number | boolean | string[];
export type AccountAttributes = Record<string, AttributeValue>;

export type AccountPatch = Partial<Pick<AccountRecord, 'name' | 'passwordHash' | 'disabled' | 'emailVerified' | 'profile' | 'attributes'>>;

/** One page of accounts in email order: those after `afterEmail`, optionally only emails containing `emailContains`. */
export interface AccountPageQuery {
  afterEmail?: string;
  /** Lower-case text the email must contain. */
  emailContains?: string;
  limit: number;
}

export interface Accounts {
  /** Throws DuplicateError when the email is taken. */
  create(account: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | undefined>;
  findByEmail(email: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  /** At most `limit` accounts, ordered by email. */
  page(query: AccountPageQuery): Promise<AccountRecord[]>;
  /** Throws NotFoundError when there is no such account. */
  update(id: string, patch: AccountPatch): Promise<AccountRecord>;
  /**
   * Replaces the custom attributes with `next` only while they are still `expected` (compare and
   * set), so two writers of different attributes never write back a stale copy of each other's;
   * false when they changed meanwhile. Throws NotFoundError when there is no such account.
   */
  replaceAttributes(id: string, expected: AccountAttributes, next: AccountAttributes): Promise<boolean>;
  /** Returns false when there was nothing to remove. */
  remove(id: string): Promise<boolean>;
}

/** A registered client: oidc-provider client metadata (with the secret only as a hash). */
export interface ClientRecord {
  clientId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface Clients {
  /** Throws DuplicateError when the client id is taken. */
  create(client: ClientRecord): Promise<void>;
  find(clientId: string): Promise<ClientRecord | undefined>;
  list(): Promise<ClientRecord[]>;
  /** Throws NotFoundError when there is no such client. */
  update(clientId: string, metadata: Record<string, unknown>): Promise<ClientRecord>;
  /** Returns false when there was nothing to remove. */
  remove(clientId: string): Promise<boolean>;
  /**
   * A value that changes whenever any process creates, updates or removes a client, so a
   * node's client cache can notice a change the CLI made.
   */
  revision(): Promise<number>;
}

/** An API that receives JWT access tokens, added with `keyline resources add`. */
export interface ResourceRecord {
  /** The resource indicator (RFC 8707): the API's URL, which tokens carry as `aud`. */
  indicator: string;
  /** Shown on the consent page; the indicator's host when null. */
  name: string | null;
  scopes: string[];
  signingAlg: string;
  /** Seconds; the configured default when null. */
  accessTokenTtl: number | null;
  /** Where the API publishes its RFC 9728 protected-resource metadata; absent when it does not. */
  metadataUri?: string | null;
  /**
   * Role-based access control (`resources add|update --rbac`): a token's scope for this API is
   * what was asked and what the subject's roles permit. Readers leave the key out when false.
   */
  rbac?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type ResourcePatch = Partial<Pick<ResourceRecord, 'name' | 'scopes' | 'signingAlg' | 'accessTokenTtl' | 'metadataUri' | 'rbac'>>;

export interface Resources {
  /** Throws DuplicateError when the indicator exists. */
  create(resource: ResourceRecord): Promise<void>;
  find(indicator: string): Promise<ResourceRecord | undefined>;
  list(): Promise<ResourceRecord[]>;
  /** Changes only the patched fields and moves updatedAt; throws NotFoundError when there is no such resource. */
  update(indicator: string, patch: ResourcePatch): Promise<ResourceRecord>;
  /** Returns false when there was nothing to remove. */
  remove(indicator: string): Promise<boolean>;
  /** Changes whenever any process creates, updates or removes a resource, like Clients.revision. */
  revision(): Promise<number>;
}

/** A named set of people (issue 20). Membership of a child group counts for its parent. */
export interface GroupRecord {
  id: string;
  /** Unique; safe to put in tokens (see authorization/names.ts). */
  name: string;
  parentId: string | null;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type GroupPatch = Partial<Pick<GroupRecord, 'name' | 'parentId' | 'description'>>;

export interface Groups {
  /** Throws DuplicateError when the name is taken. */
  create(group: GroupRecord): Promise<void>;
  find(id: string): Promise<GroupRecord | undefined>;
  findByName(name: string): Promise<GroupRecord | undefined>;
  /** The groups with these ids that exist, in any order. */
  findMany(ids: readonly string[]): Promise<GroupRecord[]>;
  /** Every group, by name. */
  list(): Promise<GroupRecord[]>;
  /** The direct children of a group. */
  children(id: string): Promise<GroupRecord[]>;
  /** Throws NotFoundError when there is no such group, DuplicateError when the new name is taken. */
  update(id: string, patch: GroupPatch): Promise<GroupRecord>;
  /** Removes the group and its memberships; false when there was none. (Grants to it are the caller's.) */
  remove(id: string): Promise<boolean>;
  /** False (and nothing changed) when the account already is a member. */
  addMember(groupId: string, accountId: string): Promise<boolean>;
  /** False when the account was not a member. */
  removeMember(groupId: string, accountId: string): Promise<boolean>;
  /** The ids of the groups the account is directly a member of. */
  groupIdsOf(accountId: string): Promise<string[]>;
  /** The account ids of a group's direct members, at most `limit`, in id order after `afterAccountId`. */
  members(groupId: string, limit: number, afterAccountId?: string): Promise<string[]>;
  /** Forgets every membership of an account (it was removed); returns how many. */
  removeAccount(accountId: string): Promise<number>;
}

/** A role: permissions (the scopes of one API resource), or, when global, none (a label). */
export interface RoleRecord {
  id: string;
  /** Unique across all roles; safe to put in tokens. */
  name: string;
  /** The resource indicator whose scopes the permissions are; null for a global role. */
  resource: string | null;
  permissions: string[];
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type RolePatch = Partial<Pick<RoleRecord, 'name' | 'permissions' | 'description'>>;

/** Who holds a role: a person (account id), every member of a group (group id), or a machine client (client id). */
export interface RoleHolder {
  kind: 'user' | 'group' | 'client';
  id: string;
}

export interface RoleGrant {
  roleId: string;
  holder: RoleHolder;
  createdAt: Date;
}

export interface Roles {
  /** Throws DuplicateError when the name is taken. */
  create(role: RoleRecord): Promise<void>;
  find(id: string): Promise<RoleRecord | undefined>;
  findByName(name: string): Promise<RoleRecord | undefined>;
  findMany(ids: readonly string[]): Promise<RoleRecord[]>;
  /** Every role, by name. */
  list(): Promise<RoleRecord[]>;
  /** Throws NotFoundError when there is no such role, DuplicateError when the new name is taken. */
  update(id: string, patch: RolePatch): Promise<RoleRecord>;
  /** Removes the role and every grant of it; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** False (and nothing changed) when the holder already has it. `roleId` may name a built-in role that has no record. */
  grant(roleId: string, holder: RoleHolder): Promise<boolean>;
  /** False when the holder did not have it. */
  revoke(roleId: string, holder: RoleHolder): Promise<boolean>;
  /** Every grant to any of these holders. */
  grantsTo(holders: readonly RoleHolder[]): Promise<RoleGrant[]>;
  /** Every grant of a role, oldest first. */
  grantsOf(roleId: string): Promise<RoleGrant[]>;
  /** Forgets every grant to a holder (it was removed); returns how many. */
  removeHolder(holder: RoleHolder): Promise<number>;
}

export interface StoredSigningKey {
  kid: string;
  alg: string;
  /** This key's place in its algorithm's schedule: 1, 2, 3... unique per algorithm. */
  sequence: number;
  /** The private JWK, sealed by the secrets cipher (JSON text in stores written before encryption). */
  privateJwk: string;
  createdAt: Date;
  /** When it starts signing; it is published in the JWKS from createdAt. */
  activatesAt: Date;
  /** Set when it was retired by hand (`keyline keys retire`, `rotate --now`); it then leaves the JWKS. */
  retiredAt: Date | null;
}

export interface SigningKeys {
  /** Every key, retired ones too, by algorithm and sequence. */
  list(): Promise<StoredSigningKey[]>;
  /**
   * Throws DuplicateError when the kid exists or its algorithm already has a key with that
   * sequence: of several nodes adding the next key of a schedule at once, exactly one succeeds.
   */
  add(key: StoredSigningKey): Promise<void>;
  /** Marks the key retired at `at`; false when there is no such key or it was retired already. */
  retire(kid: string, at: Date): Promise<boolean>;
  /** Replaces the stored private JWK text, only while it is still `expected`; false otherwise. */
  replacePrivateJwk(kid: string, expected: string, next: string): Promise<boolean>;
}

/** Named secrets Keyline generates for itself, such as development cookie keys. */
export interface Secrets {
  get(name: string): Promise<string | undefined>;
  /** Stores the value unless one exists; returns whichever value is stored (first writer wins across nodes). */
  putIfAbsent(name: string, value: string): Promise<string>;
  /** Replaces the value only while it is still `expected` (re-encryption); false otherwise. */
  replace(name: string, expected: string, next: string): Promise<boolean>;
  /** Every name, for `keyline migrate`. */
  names(): Promise<string[]>;
}

/** A consent a user gave a client, remembered beyond the session. */
export interface ConsentRecord {
  accountId: string;
  clientId: string;
  scopes: string[];
  claims: string[];
  /** resource indicator -> granted scopes */
  resources: Record<string, string[]>;
  updatedAt: Date;
}

export interface Consents {
  find(accountId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Every client the account consented to, most recently updated first. */
  listForAccount(accountId: string): Promise<ConsentRecord[]>;
  save(consent: ConsentRecord): Promise<void>;
  /** Forgets one consent; false when there was none. */
  remove(accountId: string, clientId: string): Promise<boolean>;
  removeForClient(clientId: string): Promise<void>;
  removeForAccount(accountId: string): Promise<void>;
}

export interface CounterState {
  count: number;
  resetAt: Date;
}

/** Windowed counters shared by every node (throttling of everything guessable). */
export interface Counters {
  /** Atomically adds one; a counter whose window has passed starts again at 1. */
  increment(key: string, windowSeconds: number): Promise<CounterState>;
  /** Atomically takes one back from a live counter, never below 0 (an attempt that turned out harmless). */
  decrement(key: string): Promise<void>;
  /** The live counter, or undefined once its window has passed. */
  get(key: string): Promise<CounterState | undefined>;
  reset(key: string): Promise<void>;
  /** Forgets every counter whose key starts with `prefix` (which must end in an ASCII character); returns how many. */
  resetPrefix(prefix: string): Promise<number>;
}

export type FactorType = 'totp' | 'webauthn';

/** A second factor or passkey an account enrolled. Never holds a secret in the clear. */
export interface FactorRecord {
  id: string;
  accountId: string;
  type: FactorType;
  /** What the user calls it ("Work laptop", "Authenticator app"). */
  name: string;
  /** TOTP: the last time step accepted (replays are refused); WebAuthn: the signature counter. */
  counter: number;
  /** A passkey's credential id (base64url, unique); null for other factors. */
  credentialId: string | null;
  /** Type-specific and never secret in the clear: an encrypted TOTP seed, a passkey's public key. */
  data: Record<string, unknown>;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface Factors {
  /** Throws DuplicateError when the credential id is taken. */
  add(factor: FactorRecord): Promise<void>;
  find(id: string): Promise<FactorRecord | undefined>;
  findByCredentialId(credentialId: string): Promise<FactorRecord | undefined>;
  /** Oldest first. */
  listByAccount(accountId: string): Promise<FactorRecord[]>;
  /**
   * Records a use: the counter becomes `next` only while it is still `expected`, so of two
   * concurrent uses of one TOTP code or one assertion exactly one wins.
   */
  recordUse(id: string, expected: number, next: number): Promise<boolean>;
  /** Returns false when the account has no such factor. */
  rename(accountId: string, id: string, name: string): Promise<boolean>;
  /** Returns false when the account has no such factor. */
  remove(accountId: string, id: string): Promise<boolean>;
  /** Returns how many went. */
  removeAllForAccount(accountId: string): Promise<number>;
}

/** An account's single-use recovery codes, as hashes only. */
export interface RecoveryCodes {
  /** Replaces every code of the account (unused or not) with these. */
  replace(accountId: string, codeHashes: string[]): Promise<void>;
  /** Marks the code used; true only for the one caller that used it first. */
  use(accountId: string, codeHash: string): Promise<boolean>;
  countUnused(accountId: string): Promise<number>;
  removeAllForAccount(accountId: string): Promise<void>;
}

/** One security-relevant event. Its content never changes once appended; the sealer adds the chain fields once. */
export interface AuditEventRecord {
  /** Unique and time-ordered. */
  id: string;
  occurredAt: Date;
  type: string;
  /** Who did it: `cli:<os user>`, `user:<account id>`, `client:<client id>`, `system`. */
  actor: string;
  accountId: string | null;
  email: string | null;
  clientId: string | null;
  requestId: string | null;
  ip: string | null;
  /** Everything else about the event; never a secret. */
  data: Record<string, unknown>;
  /** Chain fields: null until the sealer links the event. */
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

export interface AuditSeal {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/** A signed statement about the chain: its head at a time (`head`), or where it starts after pruning (`pruned`). */
export interface AuditCheckpoint {
  kind: 'head' | 'pruned';
  seq: number;
  hash: string;
  signedAt: Date;
  /** Compact JWS over { seq, hash, kind, iat }, signed with one of Keyline's signing keys. */
  jws: string;
}

export interface AuditQuery {
  /** Events about this account, or naming this email (failed sign-ins for unknown accounts have only the email). */
  accountId?: string;
  email?: string;
  type?: string;
  since?: Date;
  /** Only events older than this one (the last of the previous page), for paging newest first. */
  before?: { occurredAt: Date; id: string };
  limit: number;
}

/** The audit trail: append-only events, linked into a hash chain by a single sealer. */
export interface AuditEvents {
  /** Inserts one event without chain fields. Throws when it cannot be stored: the caller's change must then fail. */
  append(event: AuditEventRecord): Promise<void>;
  /** Events not linked yet, oldest first. */
  unsealed(limit: number): Promise<AuditEventRecord[]>;
  /** The linked event with the highest seq. */
  head(): Promise<AuditEventRecord | undefined>;
  /**
   * Links events in the order given, each only while it is still unlinked and its seq unused;
   * stops at the first that cannot be linked. Returns how many were linked.
   */
  seal(seals: AuditSeal[]): Promise<number>;
  /** Linked events with seq >= fromSeq, in seq order. */
  sealedFrom(fromSeq: number, limit: number): Promise<AuditEventRecord[]>;
  /** The first linked event whose occurredAt is at or after `date`. */
  firstSealedAtOrAfter(date: Date): Promise<AuditEventRecord | undefined>;
  /** Matching events, newest first. */
  query(query: AuditQuery): Promise<AuditEventRecord[]>;
  /** Deletes linked events with seq <= throughSeq (retention); returns how many. */
  pruneThrough(throughSeq: number): Promise<number>;
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** Every checkpoint, by kind then seq. */
  checkpoints(): Promise<AuditCheckpoint[]>;
}

/** Named leases: at most one holder at a time, across nodes, until it expires. */
export interface Leases {
  /** Takes the lease, or renews it when `holder` has it; false while another holder's lease runs. */
  acquire(name: string, holder: string, ttlSeconds: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

/** Where a job stands: waiting to run (or running under a lease), finished, or given up on. */
export type JobState = 'pending' | 'done' | 'dead';

/** One unit of work in the outbox: something to deliver later, at least once, by whichever node claims it. */
export interface JobRecord {
  id: string;
  /** What handles it: `backchannel-logout`, `signal`, `ssf.push`, `mail`, ... */
  kind: string;
  /** What the handler needs; never a bearer token or a client secret. */
  payload: Record<string, unknown>;
  state: JobState;
  /** Of all jobs with the same key only the first is kept, so a retried fan-out adds nothing twice. */
  dedupeKey: string | null;
  /** How many times it has been claimed. */
  attempts: number;
  maxAttempts: number;
  /** Pending: not claimable before this. While claimed, it is the end of the lease. */
  runAfter: Date;
  /** The node that claimed it last (it holds the job while runAfter has not passed). */
  leaseHolder: string | null;
  /** Why the last attempt failed; never a secret. */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewJob = Pick<JobRecord, 'id' | 'kind' | 'payload' | 'dedupeKey' | 'maxAttempts' | 'runAfter' | 'createdAt'>;

/** A job as its claimant sees it: the lease token proves the claim when it completes or fails the job. */
export interface ClaimedJob extends JobRecord {
  leaseToken: string;
}

export interface JobQuery {
  /** Only dead jobs and pending ones whose last attempt failed. */
  failedOnly?: boolean;
  limit: number;
}

/** The outbox: a queue in the store that every node works from. */
export interface Jobs {
  /** Adds a pending job; false (and nothing added) when a job with its dedupe key exists. */
  enqueue(job: NewJob): Promise<boolean>;
  /**
   * Claims the longest-waiting due pending job of one of `kinds` with one conditional write: of
   * many nodes claiming at once, each job goes to exactly one. The claim lasts `leaseSeconds`;
   * after that the job is due again and another node may claim it (its claimant is presumed dead).
   */
  claim(kinds: readonly string[], holder: string, leaseSeconds: number, now?: Date): Promise<ClaimedJob | undefined>;
  /** Marks the job done; false when the lease is no longer this claim's (another node took over). */
  complete(id: string, leaseToken: string, now?: Date): Promise<boolean>;
  /** Records the failure; the job runs again at `retryAt`, or is dead when that is null. False as for complete. */
  fail(id: string, leaseToken: string, error: string, retryAt: Date | null, now?: Date): Promise<boolean>;
  find(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(query: JobQuery): Promise<JobRecord[]>;
  /** Makes a dead job, or a pending one no node is working on, due now with its attempts counted afresh; false otherwise. */
  retry(id: string, now?: Date): Promise<boolean>;
  /** Forgets jobs in `state` last changed before `before`; returns how many. */
  purge(state: 'done' | 'dead', before: Date): Promise<number>;
}

export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/** A shared-signals event stream (SSF 1.0 §8) a receiver configured. */
export interface StreamRecord {
  id: string;
  /** The receiver: the client whose ssf-scoped token created it. */
  clientId: string;
  /** What SETs on this stream carry as `aud`. */
  audience: string;
  /** `urn:ietf:rfc:8935` (push) or `urn:ietf:rfc:8936` (poll). */
  deliveryMethod: string;
  /** Push: the receiver's URL. Poll: null (Keyline's poll URL follows from the id). */
  endpointUrl: string | null;
  /** Push: the Authorization header value the receiver asked for, sealed by the secrets cipher. */
  authorizationHeader: string | null;
  eventsRequested: string[];
  description: string | null;
  status: StreamStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type StreamPatch = Partial<Pick<StreamRecord,
  'deliveryMethod' | 'endpointUrl' | 'authorizationHeader' | 'eventsRequested' | 'description' | 'status' | 'statusReason'>>;

/** A security event token waiting on a stream: for a poll receiver until it is acknowledged, for a paused push stream until it is enabled. */
export interface HeldSet {
  jti: string;
  /** The SET's claims; it is signed when it is handed out. */
  claims: Record<string, unknown>;
  createdAt: Date;
}

export interface Streams {
  /** Throws DuplicateError when the id exists. */
  create(stream: StreamRecord): Promise<void>;
  find(id: string): Promise<StreamRecord | undefined>;
  /** Oldest first. */
  listByClient(clientId: string): Promise<StreamRecord[]>;
  /** Every stream, oldest first (the fan-out of an event reads them all). */
  list(): Promise<StreamRecord[]>;
  /** Undefined when there is no such stream. */
  update(id: string, patch: StreamPatch): Promise<StreamRecord | undefined>;
  /** Replaces the sealed authorization header only while it is still `expected` (re-encryption); false otherwise. */
  replaceAuthorizationHeader(id: string, expected: string, next: string): Promise<boolean>;
  /** Removes the stream with its subjects and held SETs; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Records that the receiver added (included) or removed (excluded) a subject, by its canonical key. */
  setSubject(streamId: string, subjectKey: string, included: boolean): Promise<void>;
  /** What the receiver said about each of these subject keys; keys it never named are absent. */
  subjectStates(streamId: string, subjectKeys: readonly string[]): Promise<Map<string, boolean>>;
  /** Keeps the SET for the stream; holding the same jti twice keeps it once. */
  hold(streamId: string, set: HeldSet): Promise<void>;
  /** The oldest held SETs, at most `limit`. */
  held(streamId: string, limit: number): Promise<HeldSet[]>;
  /** Forgets held SETs by jti (acknowledged, or handed to push delivery); returns how many went. */
  release(streamId: string, jtis: readonly string[]): Promise<number>;
}

export type UpstreamType = 'oidc' | 'oauth2' | 'ldap';
/** What a first sign-in of an unknown upstream identity does: make an account, only link to one, or refuse. */
export type UpstreamProvisioning = 'create' | 'link-only' | 'deny';
/** Whether mapped claims are written at every sign-in or only at the first. */
export type UpstreamSync = 'always' | 'first';

/** A mapped claim value that makes the person a member of a Keyline group. */
export interface UpstreamGroupRule {
  claim: string;
  value: string;
  /** The Keyline group's name. */
  group: string;
}

export interface UpstreamMapping {
  /** Upstream claim (or LDAP attribute) name -> profile field or custom attribute name. */
  claims: Record<string, string>;
  groups: UpstreamGroupRule[];
}

/** An upstream identity provider (issue 22): another IdP or a directory people sign in with. */
export interface UpstreamRecord {
  /** What operators and clients name it by (`--upstreams acme`); lower-case, unique. */
  id: string;
  /** Shown on the login page's button. */
  name: string;
  type: UpstreamType;
  enabled: boolean;
  /** The preset it was made from (google, microsoft, github, gitlab, apple), or null. */
  preset: string | null;
  /** Type-specific settings that are not secret (issuer, client id, endpoints, scopes, LDAP URL, bind DN...). */
  settings: Record<string, unknown>;
  /**
   * Secrets by name (clientSecret, bindPassword, privateKey), each sealed by the secrets cipher with
   * associated data naming the upstream and the secret (see federation/upstream-secrets.ts).
   */
  sealedSecrets: Record<string, string>;
  /** Lower-case email domains it claims for home-realm discovery; unique across upstreams. */
  domains: string[];
  provisioning: UpstreamProvisioning;
  sync: UpstreamSync;
  /** Its own amr/acr counts towards Keyline's MFA policy. */
  trustMfa: boolean;
  mapping: UpstreamMapping;
  /** RP-initiated logout continues to its end-session endpoint. */
  upstreamLogout: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type UpstreamPatch = Partial<Omit<UpstreamRecord, 'id' | 'type' | 'createdAt' | 'updatedAt'>>;

export interface Upstreams {
  /** Throws DuplicateError when the id exists or another upstream claims one of its domains. */
  create(upstream: UpstreamRecord): Promise<void>;
  find(id: string): Promise<UpstreamRecord | undefined>;
  /** The upstream that claims this (lower-case) email domain. */
  findByDomain(domain: string): Promise<UpstreamRecord | undefined>;
  /** Every upstream, by id. */
  list(): Promise<UpstreamRecord[]>;
  /** Throws NotFoundError when there is none, DuplicateError when another upstream claims a new domain. */
  update(id: string, patch: UpstreamPatch): Promise<UpstreamRecord>;
  /** Replaces the sealed secrets only while they are still `expected` (re-encryption by `keyline migrate`); false otherwise. */
  replaceSealedSecrets(id: string, expected: Record<string, string>, next: Record<string, string>): Promise<boolean>;
  /** Removes the upstream and its domain claims; false when there was none. (Its linked identities are the caller's.) */
  remove(id: string): Promise<boolean>;
  /** Changes whenever any process creates, updates or removes an upstream, like Clients.revision. */
  revision(): Promise<number>;
}

/** A person's identity at an upstream, linked to their Keyline account. */
export interface FederatedIdentityRecord {
  upstreamId: string;
  /** What identifies the person at the upstream (issuer-scoped sub, user id, DN/objectGUID); never an email. */
  subject: string;
  accountId: string;
  linkedAt: Date;
  lastSignInAt: Date | null;
}

export interface FederatedIdentities {
  /**
   * Links the identity unless (upstreamId, subject) is linked already, in one conditional write:
   * of many concurrent links exactly one creates. Returns the stored record (the existing one when
   * it was linked before, whatever account it names) and whether this call created it.
   */
  link(identity: FederatedIdentityRecord): Promise<{ identity: FederatedIdentityRecord; created: boolean }>;
  find(upstreamId: string, subject: string): Promise<FederatedIdentityRecord | undefined>;
  /** Oldest link first. */
  listByAccount(accountId: string): Promise<FederatedIdentityRecord[]>;
  /** False when there was no such link. */
  recordSignIn(upstreamId: string, subject: string, at: Date): Promise<boolean>;
  /** False when there was no such link. */
  remove(upstreamId: string, subject: string): Promise<boolean>;
  /** Forgets every link of an account (it was removed); returns how many. */
  removeAccount(accountId: string): Promise<number>;
  /** Whether anyone is linked through this upstream (an administrator changing what its subjects mean must know). */
  anyForUpstream(upstreamId: string): Promise<boolean>;
  /** Forgets every link to an upstream (it was removed); returns how many. */
  removeUpstream(upstreamId: string): Promise<number>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  readonly oidc: OidcRecords;
  readonly accounts: Accounts;
  readonly clients: Clients;
  readonly resources: Resources;
  readonly groups: Groups;
  readonly roles: Roles;
  readonly signingKeys: SigningKeys;
  readonly secrets: Secrets;
  readonly consents: Consents;
  readonly counters: Counters;
  readonly factors: Factors;
  readonly recoveryCodes: RecoveryCodes;
  readonly audit: AuditEvents;
  readonly leases: Leases;
  readonly jobs: Jobs;
  readonly streams: Streams;
  readonly upstreams: Upstreams;
  readonly federatedIdentities: FederatedIdentities;
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

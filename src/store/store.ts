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
export interface OidcRecords {
  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<OidcPayload | undefined>;
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
  /** Removes every record (sessions, grants, codes, tokens) that belongs to an account; returns how many. */
  destroyByAccount(accountId: string): Promise<number>;
}

export interface AccountRecord {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  name: string | null;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountPatch = Partial<Pick<AccountRecord, 'name' | 'passwordHash' | 'disabled'>>;

export interface Accounts {
  /** Throws DuplicateError when the email is taken. */
  create(account: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | undefined>;
  findByEmail(email: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  /** Throws NotFoundError when there is no such account. */
  update(id: string, patch: AccountPatch): Promise<AccountRecord>;
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
  createdAt: Date;
  updatedAt: Date;
}

export interface Resources {
  /** Throws DuplicateError when the indicator exists. */
  create(resource: ResourceRecord): Promise<void>;
  find(indicator: string): Promise<ResourceRecord | undefined>;
  list(): Promise<ResourceRecord[]>;
  /** Returns false when there was nothing to remove. */
  remove(indicator: string): Promise<boolean>;
  /** Changes whenever any process creates or removes a resource, like Clients.revision. */
  revision(): Promise<number>;
}

export interface StoredSigningKey {
  kid: string;
  alg: string;
  /** The private JWK as JSON. */
  privateJwk: Record<string, unknown>;
  createdAt: Date;
}

export interface SigningKeys {
  list(): Promise<StoredSigningKey[]>;
  /** Throws DuplicateError when the kid exists. */
  add(key: StoredSigningKey): Promise<void>;
}

/** Named secrets Keyline generates for itself, such as development cookie keys. */
export interface Secrets {
  get(name: string): Promise<string | undefined>;
  /** Stores the value unless one exists; returns whichever value is stored (first writer wins across nodes). */
  putIfAbsent(name: string, value: string): Promise<string>;
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
  save(consent: ConsentRecord): Promise<void>;
  removeForClient(clientId: string): Promise<void>;
}

export interface CounterState {
  count: number;
  resetAt: Date;
}

/** Windowed counters shared by every node (login throttling and lockout). */
export interface Counters {
  /** Atomically adds one; a counter whose window has passed starts again at 1. */
  increment(key: string, windowSeconds: number): Promise<CounterState>;
  /** The live counter, or undefined once its window has passed. */
  get(key: string): Promise<CounterState | undefined>;
  reset(key: string): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  readonly oidc: OidcRecords;
  readonly accounts: Accounts;
  readonly clients: Clients;
  readonly resources: Resources;
  readonly signingKeys: SigningKeys;
  readonly secrets: Secrets;
  readonly consents: Consents;
  readonly counters: Counters;
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import type { DatabaseSync } from 'node:sqlite';

/** Bump when the schema changes, and add the step to MIGRATIONS. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE oidc_records (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    uid TEXT,
    user_code TEXT,
    grant_id TEXT,
    account_id TEXT,
    consumed_at INTEGER,
    expires_at INTEGER,
    PRIMARY KEY (model, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX oidc_records_uid ON oidc_records (model, uid) WHERE uid IS NOT NULL;
  CREATE UNIQUE INDEX oidc_records_user_code ON oidc_records (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_records_grant ON oidc_records (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_records_account ON oidc_records (account_id, model) WHERE account_id IS NOT NULL;
  CREATE INDEX oidc_records_expiry ON oidc_records (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE consents (
    account_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    claims TEXT NOT NULL,
    resources TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_id)
  );
  CREATE INDEX consents_client ON consents (client_id);

  CREATE TABLE counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO meta (key, value) VALUES ('clients_revision', 0);
  `,
  // Signing-key schedule: a sequence per algorithm (unique, so two nodes cannot both add the next
  // key), when each key starts signing, and manual retirement. Existing keys become sequence 1...n.
  `
  ALTER TABLE signing_keys ADD COLUMN sequence INTEGER;
  ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER;
  ALTER TABLE signing_keys ADD COLUMN retired_at INTEGER;
  UPDATE signing_keys SET activates_at = created_at, sequence = (
    SELECT COUNT(*) FROM signing_keys AS earlier WHERE earlier.alg = signing_keys.alg
      AND (earlier.created_at < signing_keys.created_at OR (earlier.created_at = signing_keys.created_at AND earlier.kid <= signing_keys.kid))
  );
  CREATE UNIQUE INDEX signing_keys_schedule ON signing_keys (alg, sequence);
  `,
  // The audit trail: appended without chain fields; the sealer sets seq, prev_hash and hash.
  `
  CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    occurred_at INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    account_id TEXT,
    email TEXT,
    client_id TEXT,
    request_id TEXT,
    ip TEXT,
    data TEXT NOT NULL,
    seq INTEGER,
    prev_hash TEXT,
    hash TEXT
  );
  CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq) WHERE seq IS NOT NULL;
  CREATE INDEX audit_events_unsealed ON audit_events (occurred_at, id) WHERE seq IS NULL;
  CREATE INDEX audit_events_time ON audit_events (occurred_at);
  CREATE INDEX audit_events_account ON audit_events (account_id, occurred_at) WHERE account_id IS NOT NULL;
  CREATE INDEX audit_events_email ON audit_events (email, occurred_at) WHERE email IS NOT NULL;
  CREATE INDEX audit_events_type ON audit_events (type, occurred_at);

  CREATE TABLE audit_checkpoints (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    hash TEXT NOT NULL,
    signed_at INTEGER NOT NULL,
    jws TEXT NOT NULL,
    PRIMARY KEY (kind, seq)
  );

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    counter INTEGER NOT NULL,
    credential_id TEXT UNIQUE,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  CREATE INDEX factors_account ON factors (account_id, created_at);

  CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (account_id, code_hash)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE accounts ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
  `,
  `
  CREATE TABLE resources (
    indicator TEXT PRIMARY KEY,
    name TEXT,
    scopes TEXT NOT NULL,
    signing_alg TEXT NOT NULL,
    access_token_ttl INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('resources_revision', 0);
  `,
  `
  ALTER TABLE resources ADD COLUMN metadata_uri TEXT;
  `,
  // The outbox: jobs every node claims with one conditional UPDATE; run_after doubles as the lease end.
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_after INTEGER NOT NULL,
    lease_holder TEXT,
    lease_token TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX jobs_due ON jobs (run_after, id) WHERE state = 'pending';
  CREATE INDEX jobs_state ON jobs (state, updated_at);
  CREATE INDEX jobs_created ON jobs (created_at);
  `,
  // Shared-signals streams, the subjects receivers added or removed, and SETs held for them.
  `
  CREATE TABLE ssf_streams (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    delivery_method TEXT NOT NULL,
    endpoint_url TEXT,
    authorization_header TEXT,
    events_requested TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX ssf_streams_client ON ssf_streams (client_id, created_at);

  CREATE TABLE ssf_stream_subjects (
    stream_id TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    included INTEGER NOT NULL,
    PRIMARY KEY (stream_id, subject_key)
  ) WITHOUT ROWID;

  CREATE TABLE ssf_held_sets (
    stream_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    claims TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (stream_id, jti)
  ) WITHOUT ROWID;
  CREATE INDEX ssf_held_sets_age ON ssf_held_sets (stream_id, created_at);
  `,
  // Authorization (issue 20): groups and their direct members, roles and who holds them, custom
  // attributes on accounts, RBAC on resources. No foreign keys: a grant may name a built-in role,
  // which has no row, and removing a group or role deletes its memberships or grants itself.
  `
  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    parent_id TEXT,
    description TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX groups_parent ON groups (parent_id) WHERE parent_id IS NOT NULL;

  CREATE TABLE group_members (
    group_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    PRIMARY KEY (group_id, account_id)
  ) WITHOUT ROWID;
  CREATE INDEX group_members_account ON group_members (account_id);

  CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    resource TEXT,
    permissions TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE role_grants (
    role_id TEXT NOT NULL,
    holder_kind TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (role_id, holder_kind, holder_id)
  ) WITHOUT ROWID;
  CREATE INDEX role_grants_holder ON role_grants (holder_kind, holder_id);

  ALTER TABLE accounts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE resources ADD COLUMN rbac INTEGER NOT NULL DEFAULT 0;
  `,
  // Federation (issue 22): upstream identity providers, the email domains each claims (a domain
  // belongs to one upstream: its own table, so the primary key says so), and the upstream
  // identities linked to accounts, unique per (upstream, subject).
  `
  CREATE TABLE upstreams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    preset TEXT,
    settings TEXT NOT NULL,
    sealed_secrets TEXT NOT NULL,
    provisioning TEXT NOT NULL,
    sync TEXT NOT NULL,
    trust_mfa INTEGER NOT NULL,
    mapping TEXT NOT NULL,
    upstream_logout INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE upstream_domains (
    domain TEXT PRIMARY KEY,
    upstream_id TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX upstream_domains_upstream ON upstream_domains (upstream_id);
  INSERT INTO meta (key, value) VALUES ('upstreams_revision', 0);

  CREATE TABLE federated_identities (
    upstream_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id TEXT NOT NULL,
    linked_at INTEGER NOT NULL,
    last_sign_in_at INTEGER,
    PRIMARY KEY (upstream_id, subject)
  ) WITHOUT ROWID;
  CREATE INDEX federated_identities_account ON federated_identities (account_id, linked_at);
  `,
];

/** Brings the database schema up to date inside one transaction, using PRAGMA user_version. */
export function migrateSqliteSchema(db: DatabaseSync): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current >= MIGRATIONS.length) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const { user_version: locked } = db.prepare('PRAGMA user_version').get() as { user_version: number };
    for (let version = locked; version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version]!);
    }
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

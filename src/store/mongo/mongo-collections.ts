import type { Collection, Db } from 'mongodb';
import type {
  AuditCheckpointDocument, AuditEventDocument, HeldSetDocument, JobDocument, LeaseDocument, StreamDocument, StreamSubjectDocument,
  AccountDocument, ClientDocument, ConsentDocument, CounterDocument, FactorDocument, OidcDocument, RecoveryCodeDocument,
  ResourceDocument, RevisionDocument, SecretDocument, SigningKeyDocument, GroupDocument, GroupMemberDocument, RoleDocument, RoleGrantDocument,
  FederatedIdentityDocument, UpstreamDocument, UpstreamDomainDocument,
} from './mongo-documents.ts';

/**
 * Every model oidc-provider persists through its adapter, plus Keyline's own short-lived records of
 * the same kind (JWT access token bindings, sign-in progress, passkey challenges, pending TOTP
 * enrolments, factors a session added on the account pages); each has its own collection.
 */
export const OIDC_MODELS = [
  'Session', 'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'ClientCredentials', 'Client',
  'InitialAccessToken', 'RegistrationAccessToken', 'Interaction', 'ReplayDetection', 'PushedAuthorizationRequest',
  'Grant', 'BackchannelAuthenticationRequest', 'IssuedJwt', 'RevokedJwt', 'SignInProgress', 'WebAuthnChallenge', 'TotpEnrolment', 'SessionAddedFactors', 'ActionLink', 'PendingSignUp',
  // Federation (issue 22): a redirect step between start and callback, the callback's answer until the interaction's return route,
  // and which Keyline session an upstream sign-in made (for the upstream's logout).
  'UpstreamStep', 'UpstreamAnswer', 'UpstreamSession',
  // An upstream identity waiting for the person to prove the local account it will be linked to.
  'UpstreamLink',
] as const;

export type OidcModel = (typeof OIDC_MODELS)[number];

export const OIDC_COLLECTION_PREFIX = 'oidc_';

export function oidcCollectionName(model: OidcModel): string {
  return `${OIDC_COLLECTION_PREFIX}${model}`;
}

/** Keyline's own collections. */
export const COLLECTION_NAMES = {
  accounts: 'accounts',
  clients: 'clients',
  resources: 'resources',
  groups: 'groups',
  groupMembers: 'group_members',
  roles: 'roles',
  roleGrants: 'role_grants',
  signingKeys: 'signing_keys',
  secrets: 'secrets',
  consents: 'consents',
  counters: 'counters',
  revisions: 'revisions',
  factors: 'factors',
  recoveryCodes: 'recovery_codes',
  auditEvents: 'audit_events',
  auditCheckpoints: 'audit_checkpoints',
  leases: 'leases',
  jobs: 'jobs',
  streams: 'ssf_streams',
  streamSubjects: 'ssf_stream_subjects',
  heldSets: 'ssf_held_sets',
  upstreams: 'upstreams',
  upstreamDomains: 'upstream_domains',
  federatedIdentities: 'federated_identities',
} as const;

/** Acknowledged by a majority of a replica set, so a failover cannot lose it. */
const DURABLE = { writeConcern: { w: 'majority' as const } };

export interface KeylineCollections {
  /** Throws for a model oidc-provider does not have: destroyByAccount could not find its records. */
  oidc(model: string): Collection<OidcDocument>;
  allOidc(): Collection<OidcDocument>[];
  accounts: Collection<AccountDocument>;
  clients: Collection<ClientDocument>;
  resources: Collection<ResourceDocument>;
  groups: Collection<GroupDocument>;
  groupMembers: Collection<GroupMemberDocument>;
  roles: Collection<RoleDocument>;
  roleGrants: Collection<RoleGrantDocument>;
  signingKeys: Collection<SigningKeyDocument>;
  secrets: Collection<SecretDocument>;
  consents: Collection<ConsentDocument>;
  counters: Collection<CounterDocument>;
  revisions: Collection<RevisionDocument>;
  factors: Collection<FactorDocument>;
  recoveryCodes: Collection<RecoveryCodeDocument>;
  auditEvents: Collection<AuditEventDocument>;
  auditCheckpoints: Collection<AuditCheckpointDocument>;
  leases: Collection<LeaseDocument>;
  jobs: Collection<JobDocument>;
  streams: Collection<StreamDocument>;
  streamSubjects: Collection<StreamSubjectDocument>;
  heldSets: Collection<HeldSetDocument>;
  upstreams: Collection<UpstreamDocument>;
  upstreamDomains: Collection<UpstreamDomainDocument>;
  federatedIdentities: Collection<FederatedIdentityDocument>;
}

function isOidcModel(model: string): model is OidcModel {
  return (OIDC_MODELS as readonly string[]).includes(model);
}

export function keylineCollections(db: Db): KeylineCollections {
  const oidcByModel = new Map(OIDC_MODELS.map((model) => [
    model as string, db.collection<OidcDocument>(oidcCollectionName(model), DURABLE),
  ]));
  return {
    oidc(model) {
      const collection = isOidcModel(model) ? oidcByModel.get(model) : undefined;
      if (!collection) throw new Error(`unknown oidc-provider model "${model}"`);
      return collection;
    },
    allOidc: () => [...oidcByModel.values()],
    accounts: db.collection<AccountDocument>(COLLECTION_NAMES.accounts, DURABLE),
    clients: db.collection<ClientDocument>(COLLECTION_NAMES.clients, DURABLE),
    resources: db.collection<ResourceDocument>(COLLECTION_NAMES.resources, DURABLE),
    groups: db.collection<GroupDocument>(COLLECTION_NAMES.groups, DURABLE),
    groupMembers: db.collection<GroupMemberDocument>(COLLECTION_NAMES.groupMembers, DURABLE),
    roles: db.collection<RoleDocument>(COLLECTION_NAMES.roles, DURABLE),
    roleGrants: db.collection<RoleGrantDocument>(COLLECTION_NAMES.roleGrants, DURABLE),
    signingKeys: db.collection<SigningKeyDocument>(COLLECTION_NAMES.signingKeys, DURABLE),
    secrets: db.collection<SecretDocument>(COLLECTION_NAMES.secrets, DURABLE),
    consents: db.collection<ConsentDocument>(COLLECTION_NAMES.consents, DURABLE),
    // Throttling counters take the connection's default write concern: losing a few hits in a
    // failover is acceptable, and every login attempt writes one.
    counters: db.collection<CounterDocument>(COLLECTION_NAMES.counters),
    revisions: db.collection<RevisionDocument>(COLLECTION_NAMES.revisions, DURABLE),
    factors: db.collection<FactorDocument>(COLLECTION_NAMES.factors, DURABLE),
    recoveryCodes: db.collection<RecoveryCodeDocument>(COLLECTION_NAMES.recoveryCodes, DURABLE),
    auditEvents: db.collection<AuditEventDocument>(COLLECTION_NAMES.auditEvents, DURABLE),
    auditCheckpoints: db.collection<AuditCheckpointDocument>(COLLECTION_NAMES.auditCheckpoints, DURABLE),
    leases: db.collection<LeaseDocument>(COLLECTION_NAMES.leases, DURABLE),
    jobs: db.collection<JobDocument>(COLLECTION_NAMES.jobs, DURABLE),
    streams: db.collection<StreamDocument>(COLLECTION_NAMES.streams, DURABLE),
    streamSubjects: db.collection<StreamSubjectDocument>(COLLECTION_NAMES.streamSubjects, DURABLE),
    heldSets: db.collection<HeldSetDocument>(COLLECTION_NAMES.heldSets, DURABLE),
    upstreams: db.collection<UpstreamDocument>(COLLECTION_NAMES.upstreams, DURABLE),
    upstreamDomains: db.collection<UpstreamDomainDocument>(COLLECTION_NAMES.upstreamDomains, DURABLE),
    federatedIdentities: db.collection<FederatedIdentityDocument>(COLLECTION_NAMES.federatedIdentities, DURABLE),
  };
}

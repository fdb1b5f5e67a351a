import { StoreUnavailableError } from '../store-errors.ts';
import type { Store } from '../store.ts';
import { keylineCollections } from './mongo-collections.ts';
import { connectMongo } from './mongo-connection.ts';
import type { MongoConnectionOptions } from './mongo-connection.ts';
import { MongoAccounts } from './mongo-accounts.ts';
import { MongoClients } from './mongo-clients.ts';
import { MongoCounters } from './mongo-counters.ts';
import { MongoFactors, MongoRecoveryCodes } from './mongo-factors.ts';
import { toStoreError } from './mongo-errors.ts';
import { MongoOidcRecords } from './mongo-oidc-records.ts';
import { MongoConsents, MongoLeases, MongoSecrets, MongoSigningKeys } from './mongo-small-repositories.ts';
import { MongoAuditEvents } from './mongo-audit.ts';
import { MongoResources } from './mongo-resources.ts';
import { MongoGroups } from './mongo-groups.ts';
import { MongoRoles } from './mongo-roles.ts';
import { MongoJobs } from './mongo-jobs.ts';
import { MongoStreams } from './mongo-streams.ts';
import { MongoUpstreams } from './mongo-upstreams.ts';
import { MongoFederatedIdentities } from './mongo-federated-identities.ts';
import { describeMongoUrl, scrubMongoUrl } from './mongo-url.ts';
import { withErrorBoundary } from './store-error-boundary.ts';

const SERVING_SOCKET_TIMEOUT_MS = 20_000;

/**
 * Connects to MongoDB (or FerretDB) at `url`. It does not create indexes (`keyline migrate` does;
 * assertMongoIndexes in mongo-indexes.ts tells whether it has run). The driver reconnects by
 * itself, so after an outage the same store works again without being reopened.
 */
export async function openMongoStore(url: string, options: MongoConnectionOptions = {}): Promise<Store> {
  const where = describeMongoUrl(url);
  const scrub = (message: string) => scrubMongoUrl(message, url);

  // A request must never wait forever on a connection the outage left half-open: after this long
  // without an answer the operation fails, and the request answers 503. Index builds (migrate) do
  // not come through here.
  const { client, db } = await connectMongo(url, { socketTimeoutMS: SERVING_SOCKET_TIMEOUT_MS, ...options });
  const collections = keylineCollections(db);
  let open = true;
  const boundary = {
    isClosed: () => !open,
    translate: (error: unknown) => toStoreError(error, where, scrub),
  };

  return {
    kind: 'mongo',
    oidc: withErrorBoundary(new MongoOidcRecords(collections), boundary),
    accounts: withErrorBoundary(new MongoAccounts(collections.accounts), boundary),
    clients: withErrorBoundary(new MongoClients(collections.clients, collections.revisions), boundary),
    resources: withErrorBoundary(new MongoResources(collections.resources, collections.revisions), boundary),
    groups: withErrorBoundary(new MongoGroups(collections), boundary),
    roles: withErrorBoundary(new MongoRoles(collections), boundary),
    signingKeys: withErrorBoundary(new MongoSigningKeys(collections.signingKeys), boundary),
    secrets: withErrorBoundary(new MongoSecrets(collections.secrets), boundary),
    consents: withErrorBoundary(new MongoConsents(collections.consents), boundary),
    counters: withErrorBoundary(new MongoCounters(collections.counters), boundary),
    factors: withErrorBoundary(new MongoFactors(collections.factors), boundary),
    recoveryCodes: withErrorBoundary(new MongoRecoveryCodes(collections.recoveryCodes), boundary),
    audit: withErrorBoundary(new MongoAuditEvents(collections.auditEvents, collections.auditCheckpoints), boundary),
    leases: withErrorBoundary(new MongoLeases(collections.leases), boundary),
    jobs: withErrorBoundary(new MongoJobs(collections.jobs), boundary),
    streams: withErrorBoundary(new MongoStreams(collections), boundary),
    upstreams: withErrorBoundary(new MongoUpstreams(collections), boundary),
    federatedIdentities: withErrorBoundary(new MongoFederatedIdentities(collections.federatedIdentities), boundary),
    async ping() {
      if (!open) throw new StoreUnavailableError('MongoDB store is closed');
      try {
        await db.command({ ping: 1 });
      } catch (error) {
        const reason = scrub(error instanceof Error ? error.message : String(error));
        throw new StoreUnavailableError(`MongoDB at ${where} does not answer: ${reason}`, { cause: error });
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await client.close();
    },
  };
}

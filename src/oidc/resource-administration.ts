import { changedFields, type AuditedRunner } from '../audit/audited-change.ts';
import { ConfigError } from '../config/config-error.ts';
import { DuplicateError, NotFoundError } from '../store/store-errors.ts';
import type { ResourceRecord, RoleRecord, Store } from '../store/store.ts';
import { API_SCOPES, RESOURCES } from './keyline-client-metadata.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import { RESOURCE_DEFAULTS, type ResourceSettings } from './resource-settings.ts';
import { StateConflictError } from './state-conflict-error.ts';

/**
 * What an administrator does to API resources, from the CLI or the admin API alike. Only the
 * store's resources change at run time; and nothing is left pointing at nothing: an API still
 * given to a client cannot go, nor can a scope a client is still given; nor an API that roles
 * belong to, nor a scope that is a role's permission.
 */
export interface ResourceAdministration {
  store: Store;
  registry: ResourceRegistry;
  audited: AuditedRunner;
  /** The operator's claim scopes (config `claims:`), which no API scope may be named like. */
  claimScopes: readonly string[];
}

function refuseFixed(registry: ResourceRegistry, indicator: string, verb: string): void {
  const source = registry.isFixed(indicator);
  if (source === 'builtin') throw new StateConflictError(`${indicator} is built into Keyline and cannot be ${verb}`);
  if (source === 'config') throw new StateConflictError(`${indicator} is declared in the configuration (resources); ${verb === 'created' ? 'it exists there' : `it is ${verb} there`}`);
}

/** As the config refuses it: a token would not say which was meant, and a client given the claim scope would carry it to the API. */
function refuseClaimScopes(claimScopes: readonly string[], scopes: readonly string[] | undefined): void {
  const taken = scopes?.find((scope) => claimScopes.includes(scope));
  if (taken !== undefined) throw new StateConflictError(`scopes: "${taken}" is a claim scope of the configuration (claims:); choose another name`);
}

/**
 * At start: an API stored at run time whose scope a claim scope declared since is named like (the
 * config cannot see the store), refused as the config refuses it for configured APIs.
 */
export async function refuseStoredClaimScopeClashes(store: Store, claimScopes: readonly string[]): Promise<void> {
  const problems = (await store.resources.list()).flatMap(({ indicator, scopes }) => scopes.filter((scope) => claimScopes.includes(scope))
    .map((scope) => `claims.${scope}: "${scope}" is a scope of the API ${indicator} (from \`keyline resources\`); choose another name or take the scope from the API`));
  if (problems.length) throw new ConfigError(problems);
}

async function clientsGiven(store: Store, indicator: string): Promise<Array<{ clientId: string; apiScopes: string[] }>> {
  return (await store.clients.list())
    .filter((client) => Array.isArray(client.metadata[RESOURCES]) && (client.metadata[RESOURCES] as string[]).includes(indicator))
    .map((client) => ({ clientId: client.clientId, apiScopes: Array.isArray(client.metadata[API_SCOPES]) ? client.metadata[API_SCOPES] as string[] : [] }));
}

const settingsOf = ({ name, scopes, signingAlg, accessTokenTtl, metadataUri, rbac }: ResourceRecord): ResourceSettings => ({
  name, scopes, signingAlg: signingAlg as ResourceSettings['signingAlg'], accessTokenTtl, metadataUri: metadataUri ?? null, rbac: rbac === true,
});

/** The roles that belong to this resource (their permissions are its scopes). */
async function rolesOf(store: Store, indicator: string): Promise<RoleRecord[]> {
  return (await store.roles.list()).filter((role) => role.resource === indicator);
}

export async function requireStoredResource(store: Store, indicator: string): Promise<ResourceRecord> {
  const resource = await store.resources.find(indicator);
  if (!resource) throw new NotFoundError('resource', indicator);
  return resource;
}

export async function createResource(
  { store, registry, audited, claimScopes }: ResourceAdministration, indicator: string, settings: Partial<ResourceSettings>,
): Promise<ResourceRecord> {
  refuseFixed(registry, indicator, 'created');
  refuseClaimScopes(claimScopes, settings.scopes);
  // Checked before the event is recorded, so a refusal leaves no claim of a change; the store still decides a race.
  if (await store.resources.find(indicator)) throw new DuplicateError('resource', 'indicator', indicator);
  const now = new Date();
  const record: ResourceRecord = { indicator, ...RESOURCE_DEFAULTS, ...settings, createdAt: now, updatedAt: now };
  await audited({ type: 'resource.created', data: { indicator, after: settingsOf(record) } }, () => store.resources.create(record));
  return record;
}

export async function updateResource(
  { store, registry, audited, claimScopes }: ResourceAdministration, indicator: string, changes: Partial<ResourceSettings>,
): Promise<ResourceRecord> {
  refuseFixed(registry, indicator, 'changed');
  refuseClaimScopes(claimScopes, changes.scopes);
  const current = await requireStoredResource(store, indicator);
  if (changes.scopes) {
    const kept = new Set(changes.scopes);
    const stranded = (await clientsGiven(store, indicator))
      .flatMap(({ clientId, apiScopes }) => apiScopes.filter((scope) => current.scopes.includes(scope) && !kept.has(scope)).map((scope) => `${scope} (client ${clientId})`));
    if (stranded.length) throw new StateConflictError(`scopes: ${stranded.join(', ')} still given; take them from the clients first`);
    const used = (await rolesOf(store, indicator))
      .flatMap((role) => role.permissions.filter((scope) => current.scopes.includes(scope) && !kept.has(scope)).map((scope) => `${scope} (role ${role.name})`));
    if (used.length) throw new StateConflictError(`scopes: ${used.join(', ')} still a permission; take them from the roles first`);
  }
  const data = changedFields(settingsOf(current), settingsOf({ ...current, ...changes }));
  return audited({ type: 'resource.updated', data: { indicator, ...data } }, () => store.resources.update(indicator, changes));
}

export async function removeResource({ store, registry, audited }: ResourceAdministration, indicator: string): Promise<void> {
  refuseFixed(registry, indicator, 'removed');
  const current = await requireStoredResource(store, indicator);
  const users = (await clientsGiven(store, indicator)).map(({ clientId }) => clientId);
  if (users.length) {
    throw new StateConflictError(`${indicator} is still given to client(s) ${users.join(', ')}; take it from those clients first`);
  }
  const roles = (await rolesOf(store, indicator)).map((role) => role.name);
  if (roles.length) {
    throw new StateConflictError(`${indicator} still has role(s) ${roles.join(', ')}; remove those roles first`);
  }
  await audited({ type: 'resource.removed', data: { indicator, before: settingsOf(current) } }, async () => {
    if (!await store.resources.remove(indicator)) throw new NotFoundError('resource', indicator);
  });
}

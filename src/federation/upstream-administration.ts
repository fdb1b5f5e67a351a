import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import { changedFields, type AuditedRunner } from '../audit/audited-change.ts';
import { DuplicateError, NotFoundError } from '../store/store-errors.ts';
import type { Store, UpstreamRecord, UpstreamType } from '../store/store.ts';
import { PRESETS, type UpstreamPreset } from './presets.ts';
import { sealUpstreamSecret } from './upstream-secrets.ts';
import { UpstreamSettingsError } from './upstream-settings-error.ts';
import {
  httpsUrlProblem, ldapUrlProblem, SECRET_NAMES, type NewUpstreamInput, type SecretName, type UpstreamChangesInput,
} from './upstream-settings.ts';

/**
 * What changes upstream identity providers, from the CLI and the admin API alike: each change is
 * checked, recorded in the audit trail (never with a secret), then made. Secrets are sealed before
 * anything is stored and are never part of a view. Running nodes see a change through the store's
 * upstream revision, without a restart.
 */
export interface UpstreamAdministration {
  store: Store;
  audited: AuditedRunner;
  sealer: SecretSealer;
}

/** Which claims name the person at a provider no preset describes (connectors/identity-from-claims.ts reads them). */
const CLAIM_NAME_SETTINGS = ['subjectClaim', 'emailClaim', 'emailVerifiedClaim'] as const;

/** The settings each type reads (stored in `settings`); any other is refused for it. */
const TYPE_SETTINGS: Record<UpstreamType, readonly string[]> = {
  oidc: ['issuer', 'clientId', 'authMethod', 'scopes', 'endSessionEndpoint', 'tenant', 'appleTeamId', 'appleKeyId', 'responseMode', 'ssfIssuer', 'ssfJwksUri', ...CLAIM_NAME_SETTINGS],
  oauth2: ['clientId', 'authMethod', 'scopes', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'emailsEndpoint', ...CLAIM_NAME_SETTINGS],
  ldap: ['url', 'startTls', 'bindDn', 'userSearchBase', 'userFilter', 'groupSearchBase', 'groupFilter', 'emailVerified'],
};
const TYPE_SECRETS: Record<UpstreamType, readonly SecretName[]> = {
  oidc: ['clientSecret', 'privateKey', 'ssfBearerToken'],
  oauth2: ['clientSecret'],
  ldap: ['bindPassword'],
};
/** Settings of the record itself, for every type. */
const COMMON = ['name', 'enabled', 'domains', 'provisioning', 'sync', 'trustMfa', 'upstreamLogout', 'mapClaims', 'mapGroups'] as const;

/** What an upstream looks like to an administrator: everything but its secrets, which are only named. */
export type UpstreamView = Omit<UpstreamRecord, 'sealedSecrets' | 'createdAt' | 'updatedAt'> & {
  /** Which secrets are set; never their values. */
  secrets: string[];
  createdAt: string;
  updatedAt: string;
};

export function upstreamView(upstream: UpstreamRecord): UpstreamView {
  const { sealedSecrets, createdAt, updatedAt, ...rest } = upstream;
  return { ...rest, secrets: Object.keys(sealedSecrets).sort(), createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/** The audit trail's view: no secret, no timestamps (the event has its own). */
function auditView(upstream: UpstreamRecord): Record<string, unknown> {
  const { sealedSecrets, createdAt: _created, updatedAt: _updated, ...rest } = upstream;
  return { ...rest, secrets: Object.keys(sealedSecrets).sort() };
}

function refuseForeignSettings(type: UpstreamType, given: Record<string, unknown>): void {
  for (const key of Object.keys(given)) {
    if ((COMMON as readonly string[]).includes(key) || TYPE_SETTINGS[type].includes(key)) continue;
    if ((SECRET_NAMES as readonly string[]).includes(key) && TYPE_SECRETS[type].includes(key as SecretName)) continue;
    throw new UpstreamSettingsError(key, `${key} is not a setting of a ${type} upstream`);
  }
}

/** Microsoft's issuer names the tenant; the others are taken as given. */
function resolvedIssuer(preset: UpstreamPreset | undefined, settings: Record<string, unknown>): unknown {
  if (preset?.id !== 'microsoft') return settings.issuer;
  return String(PRESETS.microsoft.settings.issuer).replace('{tenant}', String(settings.tenant ?? PRESETS.microsoft.settings.tenant));
}

function require(settings: Record<string, unknown>, key: string, why: string): void {
  if (settings[key] === undefined || settings[key] === null || settings[key] === '') throw new UpstreamSettingsError(key, `${key} is required ${why}`);
}

/** Whether the upstream, as it would be stored, has everything its type needs; throws UpstreamSettingsError for the first gap. */
function checkComplete(type: UpstreamType, preset: UpstreamPreset | undefined, settings: Record<string, unknown>, secrets: readonly string[]): void {
  const hasSecret = (name: SecretName) => secrets.includes(name);
  if (type === 'ldap') {
    for (const key of ['url', 'userSearchBase', 'userFilter']) require(settings, key, 'for an ldap upstream');
    const problem = ldapUrlProblem(String(settings.url), settings.startTls === true);
    if (problem) throw new UpstreamSettingsError('url', problem);
    if (settings.bindDn !== undefined && !hasSecret('bindPassword')) throw new UpstreamSettingsError('bindPassword', 'a bind password is required with a bind DN');
    if (settings.groupFilter !== undefined && settings.groupSearchBase === undefined) throw new UpstreamSettingsError('groupSearchBase', 'a group filter needs a group search base');
    return;
  }
  require(settings, 'clientId', `for an ${type} upstream`);
  if (type === 'oidc') require(settings, 'issuer', 'for an oidc upstream (or a --preset)');
  if (type === 'oauth2') for (const key of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint']) require(settings, key, 'for an oauth2 upstream');
  for (const key of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint', 'endSessionEndpoint', 'ssfIssuer', 'ssfJwksUri']) {
    if (settings[key] === undefined) continue;
    const problem = httpsUrlProblem(String(settings[key]));
    if (problem) throw new UpstreamSettingsError(key, problem);
  }
  const method = settings.authMethod ?? 'client_secret_basic';
  if (method === 'apple_client_secret_jwt') {
    for (const key of preset?.requires ?? []) if (key !== 'privateKey') require(settings, key, 'for Sign in with Apple');
    if (!hasSecret('privateKey')) throw new UpstreamSettingsError('privateKey', 'Sign in with Apple needs the private key (--apple-private-key FILE)');
  } else if (method === 'private_key_jwt') {
    if (type !== 'oidc') throw new UpstreamSettingsError('authMethod', 'private_key_jwt is for oidc upstreams');
    if (!hasSecret('privateKey')) throw new UpstreamSettingsError('privateKey', 'private_key_jwt needs the private key Keyline signs its assertions with');
  } else if (!hasSecret('clientSecret')) {
    throw new UpstreamSettingsError('clientSecret', `${String(method)} needs the client secret (from stdin on the CLI)`);
  }
}

async function checkGroupsExist(store: Store, rules: readonly { group: string }[] | undefined): Promise<void> {
  for (const rule of rules ?? []) {
    if (!await store.groups.findByName(rule.group)) throw new UpstreamSettingsError('mapGroups', `there is no group "${rule.group}" (create it with keyline groups add)`);
  }
}

/** Splits given input into the record's own fields, the type's settings and the secrets in the clear. */
function partsOf(given: UpstreamChangesInput) {
  const record: Partial<UpstreamRecord> = {};
  const settings: Record<string, unknown> = {};
  const secrets: Partial<Record<SecretName, string>> = {};
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if ((SECRET_NAMES as readonly string[]).includes(key)) secrets[key as SecretName] = value as string;
    else if (key === 'mapClaims' || key === 'mapGroups') continue;
    else if ((COMMON as readonly string[]).includes(key)) (record as Record<string, unknown>)[key] = value;
    else settings[key] = value;
  }
  return { record, settings, secrets };
}

function sealAll(admin: UpstreamAdministration, id: string, secrets: Partial<Record<SecretName, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, sealUpstreamSecret(admin.sealer, id, name as SecretName, value)]));
}

export async function requireUpstream(store: Store, id: string): Promise<UpstreamRecord> {
  const upstream = await store.upstreams.find(id);
  if (!upstream) throw new NotFoundError('upstream', id);
  return upstream;
}

export async function createUpstream(admin: UpstreamAdministration, input: NewUpstreamInput): Promise<UpstreamRecord> {
  const { id, type: givenType, preset: presetId, ...given } = input;
  const preset = presetId ? PRESETS[presetId] : undefined;
  const type = givenType ?? preset?.type;
  if (!type) throw new UpstreamSettingsError('type', 'give --type oidc|oauth2|ldap, or a --preset');
  if (preset && preset.type !== type) throw new UpstreamSettingsError('type', `the ${preset.id} preset is an ${preset.type} upstream`);
  refuseForeignSettings(type, given);
  if (await admin.store.upstreams.find(id)) throw new DuplicateError('upstream', 'id', id);
  const parts = partsOf(given);
  const settings: Record<string, unknown> = {
    ...(preset ? { ...preset.settings, buttonLabel: preset.buttonLabel, icon: preset.icon, claims: preset.claims } : {}),
    ...parts.settings,
  };
  if (preset?.type === 'oidc') settings.issuer = resolvedIssuer(preset, settings);
  checkComplete(type, preset, settings, Object.keys(parts.secrets));
  await checkGroupsExist(admin.store, given.mapGroups);
  const now = new Date();
  const record: UpstreamRecord = {
    id,
    name: given.name ?? preset?.name ?? id,
    type,
    enabled: given.enabled ?? true,
    preset: preset?.id ?? null,
    settings,
    sealedSecrets: sealAll(admin, id, parts.secrets),
    domains: given.domains ?? [],
    provisioning: given.provisioning ?? 'create',
    sync: given.sync ?? 'always',
    trustMfa: given.trustMfa ?? false,
    mapping: { claims: { ...preset?.mapping, ...given.mapClaims }, groups: given.mapGroups ?? [] },
    upstreamLogout: given.upstreamLogout ?? false,
    createdAt: now,
    updatedAt: now,
  };
  await admin.audited({ type: 'upstream.created', data: { upstreamId: id, after: auditView(record) } },
    () => admin.store.upstreams.create(record));
  return record;
}

/**
 * The settings that say whose subjects an upstream's links hold: another issuer (or user endpoint,
 * or directory) is another namespace, where the same `sub` may be somebody else.
 */
const SUBJECT_NAMESPACE: Record<UpstreamType, readonly string[]> = {
  oidc: ['issuer', 'subjectClaim'],
  oauth2: ['userinfoEndpoint', 'subjectClaim'],
  ldap: ['url'],
};

/** Whether people linked through the upstream would be signed in by another provider's subjects after this change. */
async function refuseMovingLinkedSubjects(admin: UpstreamAdministration, current: UpstreamRecord, settings: Record<string, unknown>, keepLinks: boolean): Promise<void> {
  const moved = SUBJECT_NAMESPACE[current.type].filter((key) => JSON.stringify(settings[key]) !== JSON.stringify(current.settings[key]));
  if (moved.length === 0 || keepLinks || !await admin.store.federatedIdentities.anyForUpstream(current.id)) return;
  throw new UpstreamSettingsError(moved[0]!, `people are linked through "${current.id}": with another ${moved.join(' or ')} the same subject could be somebody else. `
    + 'Remove the upstream and add it again (that unlinks them), or, when its subjects stay the same (the provider moved), update with --keep-links (keepLinks: true)');
}

export async function updateUpstream(admin: UpstreamAdministration, id: string, given: UpstreamChangesInput & { keepLinks?: boolean }): Promise<UpstreamRecord> {
  const { keepLinks = false, ...changes } = given;
  const current = await requireUpstream(admin.store, id);
  refuseForeignSettings(current.type, changes);
  const preset = current.preset && current.preset in PRESETS ? PRESETS[current.preset as keyof typeof PRESETS] : undefined;
  const parts = partsOf(changes);
  const settings = { ...current.settings, ...parts.settings };
  if (preset && parts.settings.tenant !== undefined) settings.issuer = resolvedIssuer(preset, settings);
  const sealedSecrets = { ...current.sealedSecrets, ...sealAll(admin, id, parts.secrets) };
  checkComplete(current.type, preset, settings, Object.keys(sealedSecrets));
  await checkGroupsExist(admin.store, changes.mapGroups);
  await refuseMovingLinkedSubjects(admin, current, settings, keepLinks);
  const mapping = {
    claims: changes.mapClaims ?? current.mapping.claims,
    groups: changes.mapGroups ?? current.mapping.groups,
  };
  const next: UpstreamRecord = { ...current, ...parts.record, settings, sealedSecrets, mapping };
  const diff = changedFields(auditView(current), auditView(next));
  const secretsChanged = Object.keys(parts.secrets).sort();
  if (Object.keys(diff.after).length === 0 && secretsChanged.length === 0) return current;
  return admin.audited({ type: 'upstream.updated', data: { upstreamId: id, ...diff, ...(secretsChanged.length ? { secretsReplaced: secretsChanged } : {}) } },
    () => admin.store.upstreams.update(id, { ...parts.record, settings, sealedSecrets, mapping }));
}

/** Removes the upstream and every identity linked through it (those people keep their accounts and other ways in). */
export async function removeUpstream(admin: UpstreamAdministration, id: string): Promise<{ unlinked: number }> {
  const current = await requireUpstream(admin.store, id);
  return admin.audited({ type: 'upstream.removed', data: { upstreamId: id, before: auditView(current) } }, async () => {
    if (!await admin.store.upstreams.remove(id)) throw new NotFoundError('upstream', id);
    return { unlinked: await admin.store.federatedIdentities.removeUpstream(id) };
  });
}

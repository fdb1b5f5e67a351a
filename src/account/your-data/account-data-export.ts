import { accountView, factorView, type AccountView, type FactorView } from '../../accounts/account-view.ts';
import { listSessions, type SessionSummary } from '../../accounts/account-sessions.ts';
import { effectiveAccessOfAccount, type EffectiveAccess } from '../../authorization/effective-access.ts';
import type { AccountRecord, AuditEventRecord, Store } from '../../store/store.ts';

/** The version of the document below; a reader checks it before reading the rest. */
export const ACCOUNT_DATA_FORMAT = 'keyline.account-data/1';

/** An app the person allowed, as the consent page showed it. */
export interface ConnectedAppExport {
  clientId: string;
  name: string | null;
  scopes: string[];
  claims: string[];
  resources: Record<string, string[]>;
  allowedAt: string;
}

/** What one grant (a sign-in to an app that is still valid) holds; never its id, which tokens reference. */
export interface GrantExport {
  clientId: string | null;
  scopes: string[];
  resources: Record<string, string[]>;
  createdAt: string | null;
  expiresAt: string | null;
}

export interface AuditEventExport {
  id: string;
  occurredAt: string;
  type: string;
  actor: string;
  clientId: string | null;
  ip: string | null;
  data: Record<string, unknown>;
}

/**
 * Everything Keyline holds about one person, for "Download my data" (GDPR art. 15 and 20): built
 * from views that never carry a secret (the account without its password hash, factors without
 * their seed or public key, sessions without the id that is their cookie, grants without their id).
 */
export interface AccountDataExport {
  format: typeof ACCOUNT_DATA_FORMAT;
  issuer: string;
  exportedAt: string;
  account: Omit<AccountView, 'attributes'>;
  attributes: AccountView['attributes'];
  sessions: SessionSummary[];
  connectedApps: ConnectedAppExport[];
  grants: GrantExport[];
  secondFactors: { factors: FactorView[]; recoveryCodesUnused: number };
  groups: string[];
  roles: Array<Pick<EffectiveAccess['roles'][number], 'name' | 'resource' | 'permissions'>>;
  auditEvents: AuditEventExport[];
  /** True when the account has more audit events than config `account.dataExportAuditEvents`: the oldest are not in the file. */
  auditEventsLeftOut: boolean;
}

interface GrantPayload {
  clientId?: unknown;
  iat?: unknown;
  exp?: unknown;
  openid?: { scope?: unknown };
  resources?: Record<string, unknown>;
}

const isoFromEpoch = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null);
const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

function grantExport(payload: GrantPayload): GrantExport {
  return {
    clientId: typeof payload.clientId === 'string' ? payload.clientId : null,
    scopes: words(payload.openid?.scope),
    resources: Object.fromEntries(Object.entries(payload.resources ?? {}).map(([indicator, scope]) => [indicator, words(scope)])),
    createdAt: isoFromEpoch(payload.iat),
    expiresAt: isoFromEpoch(payload.exp),
  };
}

/** Who made a change, as the file names them: the person, an app, the system, or "administrator" (never which one). */
const ADMINISTRATOR = 'administrator';

/**
 * One event as the person receives it. An event someone else made (an administrator through the
 * admin API or the CLI) keeps what was done, not who did it or from where: their account id, OS
 * user name and IP address are their data, not this person's. Only the person's own requests keep their IP.
 */
function auditEventExport(event: AuditEventRecord, account: AccountRecord): AuditEventExport {
  const own = event.actor === `user:${account.id}`;
  const byAnotherPerson = !own && (event.actor.startsWith('user:') || event.actor === 'cli' || event.actor.startsWith('cli:'));
  return {
    id: event.id, occurredAt: event.occurredAt.toISOString(), type: event.type, actor: byAnotherPerson ? ADMINISTRATOR : event.actor,
    clientId: event.clientId, ip: own ? event.ip : null, data: event.data,
  };
}

/**
 * An event the store found by account id or address is this account's when it carries this
 * account's id, or only the address and happened since the account was created. An address
 * changes hands (an account deleted, another signed up with it later): the previous owner's
 * events carry their own id, and address-only events from before belong to whoever had it then.
 */
function isThisAccounts(event: AuditEventRecord, account: AccountRecord): boolean {
  return event.accountId ? event.accountId === account.id : event.occurredAt.getTime() >= account.createdAt.getTime();
}

/**
 * The newest audit events about the account or naming its address since it exists (the store ORs
 * the two), oldest first, and whether older ones were left out. A person writes their own history
 * without a limit (each profile save, each download), and the whole of it was once read into one
 * document: 100,000 events took 22.7 s and 250 MB for a 37 MB file; `atMost` bounds it. One query bounded by its limit:
 * paging with `before` sorted every matching event again for each page.
 */
async function auditEventsAbout(store: Store, account: AccountRecord, atMost: number): Promise<{ events: AuditEventExport[]; leftOut: boolean }> {
  const newest = await store.audit.query({ accountId: account.id, email: account.email, limit: atMost + 1 });
  const events = newest.slice(0, atMost).filter((event) => isThisAccounts(event, account));
  return { events: events.reverse().map((event) => auditEventExport(event, account)), leftOut: newest.length > atMost };
}

export async function accountDataExport(
  store: Store, issuer: string, account: AccountRecord, auditEventsAtMost: number, now = new Date(),
): Promise<AccountDataExport> {
  const { attributes, ...view } = accountView(account);
  const [sessions, consents, grants, factors, recoveryCodesUnused, access, auditEvents] = await Promise.all([
    listSessions(store.oidc, account.id),
    store.consents.listForAccount(account.id),
    store.oidc.listByAccount('Grant', account.id),
    store.factors.listByAccount(account.id),
    store.recoveryCodes.countUnused(account.id),
    effectiveAccessOfAccount(store, issuer, account.id),
    auditEventsAbout(store, account, auditEventsAtMost),
  ]);
  const connectedApps = await Promise.all(consents.map(async (consent) => {
    const client = await store.clients.find(consent.clientId);
    return {
      clientId: consent.clientId,
      name: typeof client?.metadata.client_name === 'string' ? client.metadata.client_name : null,
      scopes: consent.scopes, claims: consent.claims, resources: consent.resources, allowedAt: consent.updatedAt.toISOString(),
    };
  }));
  return {
    format: ACCOUNT_DATA_FORMAT,
    issuer,
    exportedAt: now.toISOString(),
    account: view,
    attributes,
    sessions,
    connectedApps,
    grants: grants.map(({ payload }) => grantExport(payload as GrantPayload)),
    secondFactors: { factors: factors.map(factorView), recoveryCodesUnused },
    groups: access.groups,
    roles: access.roles.map(({ name, resource, permissions }) => ({ name, resource, permissions })),
    auditEvents: auditEvents.events,
    auditEventsLeftOut: auditEvents.leftOut,
  };
}

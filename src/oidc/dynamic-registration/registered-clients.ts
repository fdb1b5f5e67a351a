import Provider, { errors } from 'oidc-provider';
import { auditedChange, changedFields } from '../../audit/audited-change.ts';
import type { SecurityEvent, SecurityEvents } from '../../audit/security-events.ts';
import { forgetClientAccess } from '../../authorization/authorization-administration.ts';
import type { KeylineState } from '../../http/keyline-state.ts';
import { NotFoundError } from '../../store/store-errors.ts';
import type { Store } from '../../store/store.ts';
import { publicMetadata } from '../client-registration.ts';
import { hashClientSecret, isHashedClientSecret } from '../client-secrets.ts';
import { withApiScopesApart } from '../keyline-client-metadata.ts';
import { recordHandle, storageKeyOf } from '../tokens-at-rest.ts';
import { withStoredAdministratorPolicy } from './administrator-policy.ts';

const VIA = 'dynamic registration';

/** The request's fields for an event a client's own /reg call causes (the client is the actor). */
function registrationEvent(type: string, clientId: string, data: Record<string, unknown>): SecurityEvent {
  const ctx = Provider.ctx;
  return {
    type, actor: `client:${clientId}`, clientId,
    requestId: (ctx?.state as KeylineState | undefined)?.requestId ?? null,
    ip: ctx?.ip ?? null,
    data: { via: VIA, ...data },
  };
}

/** Records the change first (see auditedChange), when there is an audit trail to record it in (the server; the CLI makes no /reg calls). */
function audited<T>(events: SecurityEvents | undefined, event: SecurityEvent, change: () => Promise<T>): Promise<T> {
  return events ? auditedChange(events, event, change) : change();
}

/**
 * What oidc-provider saves when a client registers or updates itself (RFC 7591/7592): the store
 * keeps only the secret's hash, as for every client; the registration response, built before
 * this, still shows the client its secret once. Each create and update is in the audit trail,
 * with the initial access token that allowed it (by id) and the fields that changed.
 */
function clientGone(): Error {
  return new errors.InvalidToken('the client this registration access token was issued for is no longer registered');
}

/**
 * A client's own update (RFC 7592) is the one use of its registration access token, which
 * oidc-provider then rotates: the token is consumed atomically just before the update is stored,
 * after every check, so of concurrent PUTs with one token exactly one is stored and yields the one
 * new token; the others are refused as holding a spent token (oidc-provider's own rotation only
 * destroys the old one, which every racer does).
 */
async function spendRegistrationAccessToken(store: Store): Promise<void> {
  const oidc = Provider.ctx?.oidc;
  if (oidc?.route !== 'client_update') return;
  const token = (oidc.entities as { RegistrationAccessToken?: { jti?: string } }).RegistrationAccessToken;
  if (!token?.jti || !await store.oidc.consume('RegistrationAccessToken', token.jti)) {
    throw new errors.InvalidToken('the registration access token was already used for an update');
  }
}

export async function saveRegisteredClient(
  store: Store, clientId: string, metadata: Record<string, unknown>, events?: SecurityEvents, claimScopes: readonly string[] = [],
): Promise<void> {
  const secret = metadata.client_secret;
  const kept = typeof secret === 'string' && !isHashedClientSecret(secret) ? { ...metadata, client_secret: hashClientSecret(secret) } : metadata;
  const existing = await store.clients.find(clientId);
  const ownUpdate = Provider.ctx?.oidc?.route === 'client_update';
  // An update checked before the client was removed (its own DELETE, an administrator) must not bring it back.
  if (ownUpdate && !existing) throw clientGone();
  if (existing) {
    await spendRegistrationAccessToken(store);
    const updated = withStoredAdministratorPolicy(withApiScopesApart(existing.metadata, claimScopes), kept);
    const changed = changedFields(publicMetadata(existing.metadata), publicMetadata(updated));
    await audited(events, registrationEvent('client.updated', clientId, changed), async () => {
      try {
        await store.clients.update(clientId, updated);
      } catch (error) {
        throw error instanceof NotFoundError ? clientGone() : error;
      }
    });
    return;
  }
  const iat = (Provider.ctx?.oidc?.entities as { InitialAccessToken?: { jti?: string } } | undefined)?.InitialAccessToken;
  const event = registrationEvent('client.created', clientId, {
    after: publicMetadata(kept), initialAccessToken: iat?.jti ? recordHandle(storageKeyOf(iat.jti)) : null,
  });
  const now = new Date();
  await audited(events, event, () => store.clients.create({ clientId, metadata: kept, createdAt: now, updatedAt: now }));
}

export async function removeRegisteredClient(store: Store, clientId: string, events?: SecurityEvents): Promise<void> {
  const existing = await store.clients.find(clientId);
  const event = registrationEvent('client.removed', clientId, { before: existing ? publicMetadata(existing.metadata) : null, consentsRemoved: true });
  await audited(events, event, async () => {
    await store.clients.remove(clientId);
    await store.consents.removeForClient(clientId);
    await forgetClientAccess(store, clientId);
  });
}

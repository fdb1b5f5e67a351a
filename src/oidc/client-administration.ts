import { forgetClientAccess } from '../authorization/authorization-administration.ts';
import { changedFields, type AuditedRunner } from '../audit/audited-change.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { ClientRecord, Store } from '../store/store.ts';
import {
  changeClient, publicMetadata, registerClient, type ClientRegistration, type ClientSettings, type RegistrationContext,
} from './client-registration.ts';
import { generateClientSecret, hashClientSecret } from './client-secrets.ts';
import { StateConflictError } from './state-conflict-error.ts';

/**
 * What an administrator does to clients, from the CLI or the admin API alike: settings are checked
 * by registerClient/changeClient, the change is recorded (public metadata only: never a secret or
 * its hash), then stored. Running servers see it within their client cache's quarter second.
 */
export interface ClientAdministration {
  store: Store;
  registration: RegistrationContext;
  audited: AuditedRunner;
}

export async function requireClient(store: Store, clientId: string): Promise<ClientRecord> {
  const client = await store.clients.find(clientId);
  if (!client) throw new NotFoundError('client', clientId);
  return client;
}

/** A stored client, and its secret when one was issued just now (returned this once; the store keeps a hash). */
export interface AdministeredClient {
  client: ClientRecord;
  clientSecret?: string;
}

export async function createClient({ store, registration, audited }: ClientAdministration, settings: ClientRegistration): Promise<AdministeredClient> {
  const { clientId, clientSecret, metadata } = await registerClient(registration, settings);
  const now = new Date();
  const client: ClientRecord = { clientId, metadata, createdAt: now, updatedAt: now };
  await audited({ type: 'client.created', clientId, data: { after: publicMetadata(metadata) } }, () => store.clients.create(client));
  return { client, ...(clientSecret ? { clientSecret } : {}) };
}

/** A client made confidential gets a new secret, returned once (see changeClient). */
export async function updateClient(
  { store, registration, audited }: ClientAdministration, clientId: string, changes: Partial<ClientSettings>,
): Promise<AdministeredClient> {
  const current = await requireClient(store, clientId);
  const { clientSecret, metadata } = await changeClient(registration, current.metadata, changes);
  const data = changedFields(publicMetadata(current.metadata), publicMetadata(metadata));
  const client = await audited({ type: 'client.updated', clientId, data: { ...data, ...(clientSecret ? { secretIssued: true } : {}) } },
    () => store.clients.update(clientId, metadata));
  return { client, ...(clientSecret ? { clientSecret } : {}) };
}

/** A new secret, returned once; the old one stops working at once. */
export async function rotateClientSecret({ store, audited }: ClientAdministration, clientId: string): Promise<string> {
  const client = await requireClient(store, clientId);
  if (client.metadata.token_endpoint_auth_method === 'none') throw new StateConflictError(`client ${clientId} is public and has no secret`);
  const secret = generateClientSecret();
  await audited({ type: 'client.secret_rotated', clientId, data: { changed: ['client_secret'] } },
    () => store.clients.update(clientId, { ...client.metadata, client_secret: hashClientSecret(secret) }));
  return secret;
}

/** The client's secret and tokens stop working, and the consents users gave it and the roles granted to it are forgotten. */
export async function removeClient({ store, audited }: ClientAdministration, clientId: string): Promise<void> {
  const client = await requireClient(store, clientId);
  const streams = await store.streams.listByClient(clientId);
  await audited({
    type: 'client.removed', clientId, data: { before: publicMetadata(client.metadata), consentsRemoved: true, signalStreamsRemoved: streams.length },
  }, async () => {
    if (!await store.clients.remove(clientId)) throw new NotFoundError('client', clientId);
    await store.consents.removeForClient(clientId);
    await forgetClientAccess(store, clientId);
    // A receiver's shared-signals streams go with it (their held SETs too).
    for (const stream of streams) await store.streams.remove(stream.id);
  });
}

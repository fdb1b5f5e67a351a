import type { Store } from '../../store/store.ts';
import { hashClientSecret, isHashedClientSecret } from '../client-secrets.ts';

/**
 * What oidc-provider saves when a client registers or updates itself (RFC 7591/7592): the store
 * keeps only the secret's hash, as for every client; the registration response, built before
 * this, still shows the client its secret once.
 */
export async function saveRegisteredClient(store: Store, clientId: string, metadata: Record<string, unknown>): Promise<void> {
  const secret = metadata.client_secret;
  const kept = typeof secret === 'string' && !isHashedClientSecret(secret) ? { ...metadata, client_secret: hashClientSecret(secret) } : metadata;
  if (await store.clients.find(clientId)) {
    await store.clients.update(clientId, kept);
  } else {
    const now = new Date();
    await store.clients.create({ clientId, metadata: kept, createdAt: now, updatedAt: now });
  }
}

export async function removeRegisteredClient(store: Store, clientId: string): Promise<void> {
  await store.clients.remove(clientId);
  await store.consents.removeForClient(clientId);
}

import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcPayload, Store } from '../store/store.ts';
import { withApiScopesApart } from './keyline-client-metadata.ts';
import { RevisionCache } from './revision-cache.ts';

/**
 * oidc-provider's adapter over our store. Every model lives in the store's OIDC records,
 * except Client, which reads (through a cache) the clients the `keyline clients` CLI manages.
 */
export type PayloadAnnotator = (model: string, payload: OidcPayload) => OidcPayload;

export function createStoreAdapter(store: Store, annotate: PayloadAnnotator = (_model, payload) => payload) {
  const clients = new RevisionCache<Record<string, unknown>>({
    find: async (clientId) => {
      const client = await store.clients.find(clientId);
      return client && withApiScopesApart(client.metadata);
    },
    revision: () => store.clients.revision(),
  });
  return class StoreAdapter implements Adapter {
    readonly name: string;

    constructor(name: string) {
      this.name = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === 'Client') throw new Error('clients are managed with `keyline clients`, not through the adapter');
      await store.oidc.upsert(this.name, id, annotate(this.name, payload as OidcPayload), expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Client') return await clients.find(id) as AdapterPayload | undefined;
      return store.oidc.find(this.name, id) as Promise<AdapterPayload | undefined>;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return store.oidc.findByUid(this.name, uid) as Promise<AdapterPayload | undefined>;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.oidc.findByUserCode(this.name, userCode) as Promise<AdapterPayload | undefined>;
    }

    async consume(id: string): Promise<void> {
      await store.oidc.consume(this.name, id);
    }

    async destroy(id: string): Promise<void> {
      await store.oidc.destroy(this.name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.oidc.revokeByGrantId(this.name, grantId);
    }
  };
}

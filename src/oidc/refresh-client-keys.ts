import type Provider from 'oidc-provider';

/** What Keyline uses of oidc-provider's per-client key store for a `jwks_uri`. */
interface ClientKeyStore extends Iterable<unknown> {
  fresh(): boolean;
  refresh(): Promise<void>;
}

/** After a failed fetch, the keys held are used this long before the jwks_uri is asked again. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * oidc-provider fetches a client's `jwks_uri` again only when an assertion fails to verify with
 * the keys it holds, so a key the client has removed (a compromised one) would keep working on a
 * node for as long as it is used. Here a client with a `jwks_uri` whose keys are past their cache
 * lifetime (60 s, or the answer's max-age / Expires) gets them fetched again before it is used, so
 * a removed key stops working within that lifetime. If the fetch fails, the keys held are kept and
 * the next try waits a minute, so an unreachable jwks_uri does not slow every request down.
 */
export function refreshStaleClientKeys(provider: Provider): void {
  const Client = provider.Client as unknown as { find(id: string): Promise<{ jwksUri?: string; asymmetricKeyStore: ClientKeyStore } | undefined> };
  const find = Client.find.bind(Client);
  const failedAt = new WeakMap<ClientKeyStore, number>();
  Client.find = async (id) => {
    const client = await find(id);
    if (!client?.jwksUri) return client;
    const keys = client.asymmetricKeyStore;
    // Keys never fetched are fetched by oidc-provider at their first use; only held keys go stale.
    const holdsKeys = !keys[Symbol.iterator]().next().done;
    if (holdsKeys && !keys.fresh() && Date.now() - (failedAt.get(keys) ?? 0) >= RETRY_AFTER_FAILURE_MS) {
      try {
        await keys.refresh();
      } catch {
        // The request goes on with the keys held; if they do not verify it, oidc-provider refuses it.
        failedAt.set(keys, Date.now());
      }
    }
    return client;
  };
}

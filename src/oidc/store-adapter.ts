import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import revoke from 'oidc-provider/lib/helpers/revoke.js';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { OidcPayload, Store } from '../store/store.ts';
import { removeRegisteredClient, saveRegisteredClient } from './dynamic-registration/registered-clients.ts';
import { ISSUED_JWT_MODEL } from './jwt-access-tokens/jwt-token-models.ts';
import { withApiScopesApart } from './keyline-client-metadata.ts';
import { storedLifetime } from './device-flow/device-code-retention.ts';
import { RequestReads, TOKEN_MODELS } from './request-reads.ts';
import { RevisionCache } from './revision-cache.ts';
import { reusedSingleUseError, SINGLE_USE_MODELS } from './single-use-models.ts';
import { rotationRetries } from './rotation-retries.ts';

/**
 * oidc-provider's adapter over our store. Every model lives in the store's OIDC records, except
 * Client, which is the store's clients (read through a cache): the ones `keyline clients` manages,
 * and those registered dynamically (RFC 7591), whose secrets are hashed here before they are kept.
 */
export type PayloadAnnotator = (model: string, payload: OidcPayload) => OidcPayload;

export interface StoreAdapterOptions {
  annotate?: PayloadAnnotator;
  /** Seconds after its rotation during which a client's refresh token may be presented again (`rotation-retries.ts`); 0 = never. */
  refreshTokenRetryWindow?: (client: Record<string, unknown> | undefined) => number;
  /** Where clients' own registrations, updates and removals (RFC 7591/7592) are audited; the server passes it. */
  securityEvents?: SecurityEvents;
  /** The operator's claim scopes (config `claims:`): kept in a client's `scope` like OpenID scopes. */
  claimScopes?: readonly string[];
}

export function createStoreAdapter(store: Store, options: StoreAdapterOptions = {}) {
  const clients = new RevisionCache<Record<string, unknown>>({
    find: async (clientId) => {
      const client = await store.clients.find(clientId);
      return client && withApiScopesApart(client.metadata, options.claimScopes);
    },
    revision: () => store.clients.revision(),
  });
  const reads = new RequestReads(store.oidc);
  const annotate = options.annotate ?? ((_model: string, payload: OidcPayload) => payload);
  const retryWindow = options.refreshTokenRetryWindow ?? (() => 0);
  const mayPresentAgain = rotationRetries({
    find: (model, id) => store.oidc.find(model, id),
    retryWindow: async (clientId) => retryWindow(typeof clientId === 'string' ? await clients.find(clientId) : undefined),
  });

  /** A rotated refresh token its client may present again (a retry), rather than a reuse. */
  async function isRetry(model: string, id: string, payload: OidcPayload | undefined): Promise<boolean> {
    return model === 'RefreshToken' && await mayPresentAgain(id, payload);
  }

  /**
   * The winner of a race is the caller the store let consume first. oidc-provider decides reuse from
   * the `consumed` flag it read before consuming, so concurrent redemptions would all pass that check:
   * here every loser is treated as the reuse it is, revoking the grant (the winner's tokens included)
   * exactly as oidc-provider does for a reuse it sees itself, with the same error.
   */
  async function refuseReuse(model: string, id: string): Promise<never> {
    const grantId = (await store.oidc.find(model, id))?.grantId;
    const ctx = Provider.ctx;
    if (grantId && ctx && SINGLE_USE_MODELS[model]?.revokesGrant) await revoke(ctx, grantId);
    throw reusedSingleUseError(model);
  }

  return class StoreAdapter implements Adapter {
    readonly name: string;

    constructor(name: string) {
      this.name = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === 'Client') {
        await saveRegisteredClient(store, id, payload as Record<string, unknown>, options.securityEvents, options.claimScopes);
        clients.forget(id);
        return;
      }
      reads.forget();
      await store.oidc.upsert(this.name, id, annotate(this.name, payload as OidcPayload), storedLifetime(this.name, expiresIn));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Client') return await clients.find(id) as AdapterPayload | undefined;
      const payload = TOKEN_MODELS.has(this.name) ? await reads.findToken(this.name, id)
        : this.name === 'Grant' ? await reads.findGrant(id)
          : await store.oidc.find(this.name, id);
      if (payload && await isRetry(this.name, id, payload)) delete payload.consumed;
      return payload as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Session') return reads.findSessionByUid(uid) as Promise<AdapterPayload | undefined>;
      return store.oidc.findByUid(this.name, uid) as Promise<AdapterPayload | undefined>;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.oidc.findByUserCode(this.name, userCode) as Promise<AdapterPayload | undefined>;
    }

    async consume(id: string): Promise<void> {
      reads.forget();
      if (await store.oidc.consume(this.name, id)) return;
      if (!(this.name in SINGLE_USE_MODELS)) return;
      if (await isRetry(this.name, id, await store.oidc.find(this.name, id))) return;
      await refuseReuse(this.name, id);
    }

    async destroy(id: string): Promise<void> {
      if (this.name === 'Client') {
        await removeRegisteredClient(store, id, options.securityEvents);
        clients.forget(id);
        return;
      }
      reads.forget();
      await store.oidc.destroy(this.name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      reads.forget();
      await store.oidc.revokeByGrantId(this.name, grantId);
      // A grant's JWT access tokens are not AccessToken records (oidc-provider does not store JWTs);
      // Keyline's record of each one goes with the grant's access tokens.
      if (this.name === 'AccessToken') await store.oidc.revokeByGrantId(ISSUED_JWT_MODEL, grantId);
    }
  };
}

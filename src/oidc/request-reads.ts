import Provider from 'oidc-provider';
import type { OidcPayload, OidcRecords, TokenLookup } from '../store/store.ts';

/** The models a token value is looked up in; oidc-provider's introspection asks all three for one value. */
export const TOKEN_MODELS: ReadonlySet<string> = new Set(['AccessToken', 'ClientCredentials', 'RefreshToken']);

interface Batch {
  models: string[];
  result: Promise<TokenLookup | undefined>;
}

interface Memo {
  batches: Map<string, Batch>;
  grants: Map<string, OidcPayload | undefined>;
  sessions: Map<string, OidcPayload | undefined>;
}

/**
 * Store reads of one request, combined. A token lookup reads the token, its Grant and its Session
 * in one `findToken` (oidc-provider then asks for the grant and the session, one after the other);
 * lookups of one value in several token models started together (introspection without a hint)
 * become that one read. What was read ahead is kept on the request (oidc-provider's `Provider.ctx`)
 * and handed out once; any write through the adapter in that request drops it. Nothing outlives
 * the request and nothing is shared between requests, so a revocation committed before a request
 * starts is seen by it, on every node, exactly as without this.
 */
export class RequestReads {
  readonly #oidc: OidcRecords;
  readonly #memos = new WeakMap<object, Memo>();

  constructor(oidc: OidcRecords) {
    this.#oidc = oidc;
  }

  async findToken(model: string, id: string): Promise<OidcPayload | undefined> {
    const memo = this.#memo(true);
    let batch = memo?.batches.get(id);
    if (!memo || batch?.models.includes(model)) return this.#oidc.find(model, id);
    if (!batch) {
      const models: string[] = [];
      // Resolved after the current synchronous run, so lookups started beside this one join it.
      const result = Promise.resolve().then(() => {
        memo.batches.delete(id);
        return this.#oidc.findToken(models, id);
      }).then((found) => {
        if (typeof found?.payload.grantId === 'string') memo.grants.set(found.payload.grantId, found.grant);
        if (typeof found?.payload.sessionUid === 'string') memo.sessions.set(found.payload.sessionUid, found.session);
        return found;
      });
      batch = { models, result };
      memo.batches.set(id, batch);
    }
    batch.models.push(model);
    const found = await batch.result;
    return found?.model === model ? found.payload : undefined;
  }

  /** The Grant read ahead for this request, once; otherwise the store's. */
  findGrant(id: string): Promise<OidcPayload | undefined> {
    return RequestReads.#take(this.#memo(false)?.grants, id, () => this.#oidc.find('Grant', id));
  }

  /** The Session read ahead for this request, once; otherwise the store's. */
  findSessionByUid(uid: string): Promise<OidcPayload | undefined> {
    return RequestReads.#take(this.#memo(false)?.sessions, uid, () => this.#oidc.findByUid('Session', uid));
  }

  static async #take(readAhead: Map<string, OidcPayload | undefined> | undefined, key: string, read: () => Promise<OidcPayload | undefined>) {
    if (!readAhead?.has(key)) return read();
    const payload = readAhead.get(key);
    readAhead.delete(key);
    return payload;
  }

  /** A write in this request: what was read ahead may no longer be what the store holds. */
  forget(): void {
    const ctx = Provider.ctx;
    if (ctx) this.#memos.delete(ctx);
  }

  #memo(create: boolean): Memo | undefined {
    const ctx = Provider.ctx;
    if (!ctx) return undefined;
    let memo = this.#memos.get(ctx);
    if (!memo && create) {
      memo = { batches: new Map(), grants: new Map(), sessions: new Map() };
      this.#memos.set(ctx, memo);
    }
    return memo;
  }
}

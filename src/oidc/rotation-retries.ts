import type { OidcPayload } from '../store/store.ts';
import { successorOf } from './refresh-token-successors.ts';

export interface RotationRetryOptions {
  /** Reads a record as stored, `consumed` included. */
  find(model: string, id: string): Promise<OidcPayload | undefined>;
  /** Seconds after its rotation during which a refresh token issued to this client may be presented again; 0 = never. */
  retryWindow(clientId: unknown): Promise<number>;
}

/**
 * Whether a rotated refresh token may be presented again: a client that lost the answer to its
 * refresh (a timeout, a crash, two tabs, a store outage after the rotation) retries with it. It
 * may while its successor is unused and the retry window since its rotation is open; the retry
 * then gets that same successor (`refresh-token-successors.ts`), so the family stays one chain.
 * Otherwise the presentation is a reuse, and the grant is revoked.
 */
export function rotationRetries({ find, retryWindow }: RotationRetryOptions) {
  return async function mayPresentAgain(id: string, payload: OidcPayload | undefined): Promise<boolean> {
    if (typeof payload?.consumed !== 'number') return false;
    const window = await retryWindow(payload['clientId']);
    if (window <= 0 || Date.now() / 1000 - payload.consumed > window) return false;
    const successor = successorOf(id, payload);
    if (!successor) return false;
    const next = await find('RefreshToken', successor.id);
    return next !== undefined && next.consumed === undefined && next.grantId === payload.grantId;
  };
}

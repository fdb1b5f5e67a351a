import { createHmac, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

/**
 * The payload field that fixes a refresh token's successor. It is kept in the store only: the
 * client never sees it, so holding a token is not enough to compute the next one.
 */
export const SUCCESSOR_SEED = 'successorSeed';

export interface Successor {
  id: string;
  seed: string;
}

/**
 * The one token a refresh token rotates into: derived from the token's value and its stored seed,
 * so every presentation of the token, on any node, at once or after a failure, names the same
 * successor, and a replay can never start a second chain. Tokens stored before seeds existed use
 * their grant id, which is also stored only.
 */
export function successorOf(value: string, payload: { [SUCCESSOR_SEED]?: unknown; grantId?: unknown }): Successor | undefined {
  const seed = payload[SUCCESSOR_SEED] ?? payload.grantId;
  if (typeof seed !== 'string') return undefined;
  const key = createHmac('sha256', seed).update(value).digest();
  return {
    id: createHmac('sha256', key).update('refresh token').digest('base64url'),
    seed: createHmac('sha256', key).update('successor seed').digest('base64url'),
  };
}

interface RefreshTokenInstance {
  jti?: string;
  grantId?: string;
  [SUCCESSOR_SEED]?: string;
  adapter: { consume(id: string): Promise<void> };
  emit(event: string): void;
}

interface RotationContext {
  oidc?: { route?: string; params?: { grant_type?: unknown }; entities?: Record<string, unknown> };
}

/** The presented token whose consumption waits until its successor is saved, per request. */
const awaitingSuccessor = new WeakMap<object, RefreshTokenInstance>();

function presentedForRotation(ctx: RotationContext | undefined, token: RefreshTokenInstance): boolean {
  return ctx?.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token'
    && ctx.oidc.entities?.RefreshToken === token;
}

/**
 * oidc-provider's refresh grant consumes the presented token, then saves a random successor. Here
 * the successor is the one `successorOf` names, and the presented token is consumed only once
 * that successor is saved: a refresh the store could not finish (an outage between the two writes)
 * leaves the presented token as it was, so the client's retry is an ordinary refresh and not a
 * reuse. A consume that loses a race is judged by the adapter (`rotation-retries.ts`).
 */
export function rotateIntoOneSuccessor(provider: Provider): void {
  const RefreshToken = provider.RefreshToken as unknown as { IN_PAYLOAD: string[]; prototype: RefreshTokenInstance & Record<string, unknown> };
  const inPayload = [...RefreshToken.IN_PAYLOAD, SUCCESSOR_SEED];
  Object.defineProperty(RefreshToken, 'IN_PAYLOAD', { get: () => inPayload });

  const proto = RefreshToken.prototype as unknown as {
    generateTokenId(this: RefreshTokenInstance): string;
    consume(this: RefreshTokenInstance): Promise<void>;
    save(this: RefreshTokenInstance, ...args: unknown[]): Promise<string>;
  };
  const { generateTokenId, consume, save } = proto;

  proto.generateTokenId = function successorOrRandomId(this: RefreshTokenInstance) {
    const ctx = Provider.ctx as RotationContext | undefined;
    const predecessor = ctx && awaitingSuccessor.get(ctx);
    const successor = predecessor?.jti ? successorOf(predecessor.jti, predecessor) : undefined;
    if (predecessor && predecessor !== this && successor) {
      this[SUCCESSOR_SEED] = successor.seed;
      return successor.id;
    }
    this[SUCCESSOR_SEED] = randomBytes(32).toString('base64url');
    return generateTokenId.call(this);
  };

  proto.consume = async function consumeOnceSucceeded(this: RefreshTokenInstance) {
    const ctx = Provider.ctx as RotationContext | undefined;
    if (ctx && presentedForRotation(ctx, this)) {
      awaitingSuccessor.set(ctx, this);
      return;
    }
    await consume.call(this);
  };

  proto.save = async function saveThenConsumePredecessor(this: RefreshTokenInstance, ...args: unknown[]) {
    const value = await save.apply(this, args);
    const ctx = Provider.ctx as RotationContext | undefined;
    const predecessor = ctx && awaitingSuccessor.get(ctx);
    if (ctx && predecessor && predecessor !== this) {
      awaitingSuccessor.delete(ctx);
      await consume.call(predecessor);
    }
    return value;
  };
}

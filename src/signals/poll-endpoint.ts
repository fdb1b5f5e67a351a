import { setTimeout as sleep } from 'node:timers/promises';
import type { JWK } from 'jose';
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { readJsonObject } from '../http/parse-json.ts';
import type { HeldSet, StreamRecord, Store } from '../store/store.ts';
import { POLL_DELIVERY } from './event-types.ts';
import { signSet, type SetClaims } from './security-event-token.ts';

const DEFAULT_MAX_EVENTS = 25;
const MAX_EVENTS = 100;
const LOOK_EVERY_MS = 250;

const pollRequest = z.object({
  maxEvents: z.number().int().min(0).max(1000).optional(),
  returnImmediately: z.boolean().optional(),
  ack: z.array(z.string().min(1).max(200)).max(1000).optional(),
  setErrs: z.record(z.string().min(1).max(200), z.object({ err: z.string().max(100), description: z.string().max(1000).optional() })).optional(),
});

export interface PollEndpointDependencies {
  store: Store;
  receiver: (ctx: Context & { state: KeylineState }) => Promise<string>;
  ownStream: (clientId: string, streamId: string) => Promise<StreamRecord>;
  signingKey: () => JWK;
  longPollSeconds: number;
}

/** RFC 8936 §2.4.4: an error answer names its `err` and says why. */
function refuse(ctx: Context, description: string): void {
  ctx.status = 400;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { err: 'invalid_request', description };
}

/**
 * RFC 8936 poll delivery. A receiver acknowledges the SETs it processed (`ack`, or `setErrs` for
 * those it could not) in the same request that asks for more; Keyline forgets a SET only once it
 * is acknowledged, so a lost answer means the same SETs (same jti) come again. A paused or
 * disabled stream hands out nothing. With `returnImmediately: false` the request waits up to
 * `signals.longPollSeconds` for a first SET.
 */
export function pollEndpoint(deps: PollEndpointDependencies) {
  return async (ctx: Context & { state: KeylineState; params: Record<string, string> }): Promise<void> => {
    const clientId = await deps.receiver(ctx);
    const stream = await deps.ownStream(clientId, ctx.params.streamId ?? '');
    if (stream.deliveryMethod !== POLL_DELIVERY) throw new HttpError(404, 'not_found', 'This stream delivers by push; there is nothing to poll.');
    let body: Record<string, unknown>;
    try {
      body = await readJsonObject(ctx);
    } catch (error) {
      if (error instanceof HttpError && error.status === 400) return refuse(ctx, error.message);
      throw error;
    }
    const parsed = pollRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refuse(ctx, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const request = parsed.data;
    const errors = Object.entries(request.setErrs ?? {});
    for (const [jti, error] of errors) {
      ctx.state.log.warn({ event: 'ssf.set_error', streamId: stream.id, clientId, jti, err: error.err, description: error.description }, 'a receiver reported a SET it could not process');
    }
    await deps.store.streams.release(stream.id, [...(request.ack ?? []), ...errors.map(([jti]) => jti)]);

    const limit = Math.min(request.maxEvents ?? DEFAULT_MAX_EVENTS, MAX_EVENTS);
    let held: HeldSet[] = [];
    if (limit > 0 && stream.status === 'enabled') {
      held = await deps.store.streams.held(stream.id, limit + 1);
      const deadline = Date.now() + deps.longPollSeconds * 1000;
      const closed = () => ctx.req.destroyed || ctx.req.socket.destroyed;
      while (held.length === 0 && request.returnImmediately !== true && Date.now() < deadline && !closed()) {
        await sleep(LOOK_EVERY_MS);
        held = await deps.store.streams.held(stream.id, limit + 1);
      }
    }
    const handedOut = held.slice(0, limit);
    const key = deps.signingKey();
    const sets: Record<string, string> = {};
    for (const set of handedOut) sets[set.jti] = await signSet(set.claims as SetClaims, key);
    ctx.status = 200;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { sets, moreAvailable: held.length > limit };
  };
}

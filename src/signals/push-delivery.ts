import type { JWK } from 'jose';
import { z } from 'zod';
import { payloadOf, PermanentJobError, type JobHandler } from '../jobs/job-handler.ts';
import type { SecretCipher } from '../keys/secret-cipher.ts';
import type { Logger } from '../logger.ts';
import { describeUrl, refusedWith, unreachable } from '../outbound/outbound-failure.ts';
import type { OutboundFetch } from '../outbound/outbound-fetch.ts';
import type { Streams } from '../store/store.ts';
import { PUSH_DELIVERY } from './event-types.ts';
import { signSet, type SetClaims } from './security-event-token.ts';
import { openAuthorizationHeader } from './stream-authorization.ts';
import { SSF_PUSH_JOB, type StreamDelivery } from './stream-delivery.ts';

const pushJob = z.object({ streamId: z.string().min(1), claims: z.looseObject({ jti: z.string().min(1) }) });

export interface PushDeliveryDependencies {
  streams: Streams;
  delivery: StreamDelivery;
  cipher: SecretCipher;
  signingKey: () => JWK;
  fetch: OutboundFetch;
  logger: Logger;
}

/** RFC 8935 §2.3: a receiver that refuses a SET says why in `err`; trying the same SET again cannot help. */
async function refusal(response: Response): Promise<string> {
  try {
    const body = await response.json() as { err?: unknown; description?: unknown };
    return [body.err, body.description].filter((part) => typeof part === 'string').map((part) => String(part).slice(0, 200)).join(': ');
  } catch {
    return '';
  }
}

/**
 * Pushes one SET to a push stream's receiver (RFC 8935), from the outbox: retried with backoff
 * until the receiver answers 202, or refuses it with 400 (then the job is dead, and listed).
 * The stream is read when the job runs: one paused meanwhile holds the SET, one disabled or
 * deleted drops it.
 */
export function pushDeliveryHandler(deps: PushDeliveryDependencies): JobHandler {
  return {
    kind: SSF_PUSH_JOB,
    async run(job) {
      const push = payloadOf(job, pushJob, 'a SET to push');
      const claims = push.claims as SetClaims;
      const stream = await deps.streams.find(push.streamId);
      if (!stream || stream.status === 'disabled' || stream.deliveryMethod !== PUSH_DELIVERY || !stream.endpointUrl) return;
      if (stream.status === 'paused') {
        await deps.delivery.hold(stream, claims);
        return;
      }
      const set = await signSet(claims, deps.signingKey());
      const headers: Record<string, string> = { 'content-type': 'application/secevent+jwt', accept: 'application/json' };
      if (stream.authorizationHeader) headers.authorization = openAuthorizationHeader(deps.cipher, stream.id, stream.authorizationHeader);
      let response: Response;
      try {
        response = await deps.fetch(stream.endpointUrl, {
          method: 'POST', redirect: 'manual', headers, body: set, signal: AbortSignal.any([job.signal, AbortSignal.timeout(5000)]),
        });
      } catch (error) {
        throw unreachable(stream.endpointUrl, error);
      }
      if (response.status === 400) throw new PermanentJobError(refusedWith(stream.endpointUrl, 400, await refusal(response)).message);
      await response.body?.cancel();
      if (response.status !== 202 && response.status !== 200) throw refusedWith(stream.endpointUrl, response.status);
      deps.logger.info({
        event: 'ssf.set_delivered', streamId: stream.id, clientId: stream.clientId, jti: claims.jti, to: describeUrl(stream.endpointUrl),
        eventTypes: Object.keys((claims.events ?? {}) as object),
      }, 'security event token delivered');
    },
  };
}

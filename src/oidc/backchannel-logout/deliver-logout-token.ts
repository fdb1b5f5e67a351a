import type { JWK } from 'jose';
import { z } from 'zod';
import { payloadOf, PermanentJobError, type JobHandler } from '../../jobs/job-handler.ts';
import type { Logger } from '../../logger.ts';
import type { Clients } from '../../store/store.ts';
import { describeUrl, refusedWith, unreachable } from '../../outbound/outbound-failure.ts';
import type { OutboundFetch } from '../../outbound/outbound-fetch.ts';
import { signLogoutToken } from './logout-token.ts';

export const BACKCHANNEL_LOGOUT_JOB = 'backchannel-logout';

export const logoutDelivery = z.object({
  clientId: z.string().min(1),
  sub: z.string().min(1),
  sid: z.string().min(1).optional(),
  jti: z.string().min(1),
});

export type LogoutDelivery = z.infer<typeof logoutDelivery>;

export interface LogoutDeliveryDependencies {
  issuer: string;
  clients: Clients;
  /** Keyline's private signing key for an algorithm (the client's id_token algorithm). */
  signingKey: (alg: string) => JWK;
  fetch: OutboundFetch;
  logger: Logger;
}

/**
 * Delivers one logout token to one client's back-channel logout URI, as a job of the outbox: a
 * receiver that is down gets it when it comes back, and a restart loses nothing. The client is
 * read when the job runs, so a changed URI is honoured and a removed client is skipped.
 */
export function backchannelLogoutHandler(deps: LogoutDeliveryDependencies): JobHandler {
  return {
    kind: BACKCHANNEL_LOGOUT_JOB,
    async run(job) {
      const delivery = payloadOf(job, logoutDelivery, 'a logout token');
      const metadata = (await deps.clients.find(delivery.clientId))?.metadata;
      const uri = typeof metadata?.backchannel_logout_uri === 'string' ? metadata.backchannel_logout_uri : undefined;
      if (!uri) {
        deps.logger.info({ event: 'backchannel_logout.skipped', clientId: delivery.clientId }, 'back-channel logout skipped: the client is gone or has no back-channel logout URI any more');
        return;
      }
      // Its id_tokens carry a sid only when it asked for one (backchannel_logout_session_required);
      // otherwise a logout token names the user alone, which ends all their sessions at the client.
      const sessionRequired = metadata?.backchannel_logout_session_required === true;
      if (sessionRequired && !delivery.sid) throw new PermanentJobError('the client requires a sid, and this ending named no session of it');
      const alg = typeof metadata?.id_token_signed_response_alg === 'string' ? metadata.id_token_signed_response_alg : 'RS256';
      const { sid, ...rest } = delivery;
      const token = await signLogoutToken({ issuer: deps.issuer, ...rest, ...(sessionRequired ? { sid } : {}) }, deps.signingKey(alg));
      let status: number;
      try {
        const response = await deps.fetch(uri, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
          body: new URLSearchParams({ logout_token: token }).toString(),
          signal: AbortSignal.any([job.signal, AbortSignal.timeout(5000)]),
        });
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        throw unreachable(uri, error);
      }
      if (status !== 200 && status !== 204) throw refusedWith(uri, status);
      deps.logger.info({
        event: 'backchannel_logout.delivered', clientId: delivery.clientId, accountId: delivery.sub, to: describeUrl(uri), attempt: job.attempt,
      }, 'back-channel logout delivered');
    },
  };
}

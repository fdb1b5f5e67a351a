import { randomUUID } from 'node:crypto';
import { payloadOf, type JobHandler } from '../jobs/job-handler.ts';
import type { Outbox } from '../jobs/outbox.ts';
import { BACKCHANNEL_LOGOUT_JOB, type LogoutDelivery } from '../oidc/backchannel-logout/deliver-logout-token.ts';
import type { SecuritySignals } from '../signals/security-signals.ts';
import type { Clients } from '../store/store.ts';
import { SESSION_ENDED_JOB, sessionEnding } from './session-endings.ts';

const REASON_FOR_ADMINS: Record<string, string> = {
  logout: 'the user signed out',
  revoked: 'the sessions were revoked',
  'password-changed': 'the password was changed',
  'account-disabled': 'the account was disabled',
  'token-reuse': 'a refresh token or code was used twice, so the grant was revoked',
};

/**
 * What one session ending delivers: a logout token job for each client of the ended sessions that
 * registered a back-channel logout URI (per session when it requires a sid), and a session-revoked signal. Dedupe keys derived from this
 * job's id make a second run (after a crash) add nothing twice.
 */
export function sessionEndedHandler(deps: { clients: Clients; outbox: Outbox; signals: SecuritySignals }): JobHandler {
  return {
    kind: SESSION_ENDED_JOB,
    async run(job) {
      const ending = payloadOf(job, sessionEnding, 'a session ending');
      for (const party of ending.relyingParties) {
        const metadata = (await deps.clients.find(party.clientId))?.metadata;
        if (typeof metadata?.backchannel_logout_uri !== 'string') continue;
        // A client that takes no sid gets one token per ending (it names the user), not one per session.
        const sid = metadata.backchannel_logout_session_required === true ? party.sid : undefined;
        const delivery: LogoutDelivery = { clientId: party.clientId, sub: ending.accountId, ...(sid ? { sid } : {}), jti: randomUUID() };
        await deps.outbox.enqueue(BACKCHANNEL_LOGOUT_JOB, delivery, { dedupeKey: `${job.id}:logout:${party.clientId}:${sid ?? ''}` });
      }
      if (!ending.signal) return;
      await deps.signals.emit({
        type: 'session-revoked',
        accountId: ending.accountId,
        at: ending.at,
        txn: ending.txn,
        initiator: ending.initiator,
        reason: REASON_FOR_ADMINS[ending.reason],
      }, { dedupeKey: `${job.id}:signal` });
    },
  };
}

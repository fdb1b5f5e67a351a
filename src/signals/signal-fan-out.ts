import type { SignalsConfig } from '../config/schema.ts';
import { payloadOf, type JobHandler } from '../jobs/job-handler.ts';
import type { Accounts, Clients, StreamRecord, Streams } from '../store/store.ts';
import {
  ACCOUNT_DISABLED, ACCOUNT_ENABLED, CREDENTIAL_CHANGE, SESSION_REVOKED, TOKEN_CLAIMS_CHANGE, eventsDelivered,
} from './event-types.ts';
import { SIGNAL_JOB, securitySignal, type SecuritySignal } from './security-signals.ts';
import { setJti, type SetClaims } from './security-event-token.ts';
import type { StreamDelivery } from './stream-delivery.ts';
import { accountSubjectKeys, subjectIdentifierOf, type SubjectIdentifier } from './subject-identifiers.ts';

const EVENT_TYPE: Record<SecuritySignal['type'], string> = {
  'session-revoked': SESSION_REVOKED,
  'credential-change': CREDENTIAL_CHANGE,
  'token-claims-change': TOKEN_CLAIMS_CHANGE,
  'account-disabled': ACCOUNT_DISABLED,
  'account-enabled': ACCOUNT_ENABLED,
};

/** The event object of the SET (CAEP 1.0 §2, §3.1, §3.3; RISC 1.0 §2.3, §2.4). */
function eventOf(signal: SecuritySignal): Record<string, unknown> {
  const common = {
    event_timestamp: signal.at,
    initiating_entity: signal.initiator,
    ...(signal.reason ? { reason_admin: { en: signal.reason } } : {}),
  };
  if (signal.type === 'credential-change') {
    return {
      credential_type: signal.credentialType,
      change_type: signal.changeType,
      ...(signal.friendlyName ? { friendly_name: signal.friendlyName } : {}),
      ...common,
    };
  }
  if (signal.type === 'token-claims-change') return { claims: signal.claims, ...common };
  return common;
}

export interface SignalFanOutDependencies {
  issuer: string;
  config: SignalsConfig;
  streams: Streams;
  accounts: Accounts;
  clients: Clients;
  delivery: StreamDelivery;
}

/**
 * Which subject identifier a stream gets for an account, or undefined when the stream does not
 * want events about it: a subject the receiver added is named as it added it; one it removed is
 * left out; otherwise the transmitter's default_subjects decides (ALL: as iss_sub).
 */
async function subjectFor(deps: SignalFanOutDependencies, stream: StreamRecord, keys: string[]): Promise<SubjectIdentifier | undefined> {
  const states = await deps.streams.subjectStates(stream.id, keys);
  const added = keys.find((key) => states.get(key) === true);
  if (added) return subjectIdentifierOf(added, deps.issuer);
  if ([...states.values()].includes(false)) return undefined;
  return deps.config.defaultSubjects === 'ALL' ? subjectIdentifierOf(keys[0]!, deps.issuer) : undefined;
}

/**
 * Turns one security signal into a SET on every stream that wants it. Each stream's SET has a jti
 * derived from this job and the stream, so running the fan-out again (a node stopped half-way)
 * holds or pushes nothing twice.
 */
export function signalFanOutHandler(deps: SignalFanOutDependencies): JobHandler {
  return {
    kind: SIGNAL_JOB,
    async run(job) {
      const signal = payloadOf(job, securitySignal, 'a security signal');
      if (!deps.config.enabled) return;
      const eventType = EVENT_TYPE[signal.type];
      const account = await deps.accounts.findById(signal.accountId);
      const keys = accountSubjectKeys(signal.accountId, account?.email);
      for (const stream of await deps.streams.list()) {
        if (stream.status === 'disabled' || !eventsDelivered(stream.eventsRequested).includes(eventType)) continue;
        if (!await deps.clients.find(stream.clientId)) continue;
        const subject = await subjectFor(deps, stream, keys);
        if (!subject) continue;
        const claims: SetClaims = {
          iss: deps.issuer,
          jti: setJti(job.id, stream.id),
          iat: signal.at,
          aud: stream.audience,
          txn: signal.txn,
          sub_id: subject,
          events: { [eventType]: eventOf(signal) },
        };
        await deps.delivery.deliver(stream, claims);
      }
    },
  };
}

import type { Logger } from '../logger.ts';
import type { AuditEvents } from '../store/store.ts';
import { auditEventId } from './audit-event-id.ts';

/** One security-relevant event, as callers describe it. Never put a secret (password, token, secret) in it. */
export interface SecurityEvent {
  /** Dotted, past tense: `login.succeeded`, `token.issued`, `user.disabled`, ... */
  type: string;
  /** `cli:<os user>`, `user:<account id>`, `client:<client id>`, `system`. */
  actor: string;
  accountId?: string | null;
  email?: string | null;
  clientId?: string | null;
  requestId?: string | null;
  ip?: string | null;
  data?: Record<string, unknown>;
}

/** What is counted per event type (Prometheus counters); implemented by the metrics. */
export interface SecurityEventCounter {
  countSecurityEvent(event: SecurityEvent): void;
}

/**
 * THE call for security events: it appends the event to the audit trail, writes a structured log
 * line (`event` plus the same fields) and increments the matching counter. The promise rejects
 * when the audit write fails, and the caller's change must then fail too.
 */
export class SecurityEvents {
  readonly #audit: AuditEvents;
  readonly #logger: Logger;
  readonly #counter: SecurityEventCounter | undefined;
  readonly #clock: () => number;

  constructor(audit: AuditEvents, logger: Logger, counter?: SecurityEventCounter, clock: () => number = Date.now) {
    this.#audit = audit;
    this.#logger = logger;
    this.#counter = counter;
    this.#clock = clock;
  }

  /** Resolves to the audit event's id. */
  async record(event: SecurityEvent, log: Logger = this.#logger): Promise<string> {
    const now = this.#clock();
    const record = {
      id: auditEventId(now),
      occurredAt: new Date(now),
      type: event.type,
      actor: event.actor,
      accountId: event.accountId ?? null,
      email: event.email ?? null,
      clientId: event.clientId ?? null,
      requestId: event.requestId ?? null,
      ip: event.ip ?? null,
      data: event.data ?? {},
      seq: null,
      prevHash: null,
      hash: null,
    };
    const fields = {
      event: event.type, auditId: record.id, actor: record.actor, accountId: record.accountId ?? undefined, email: record.email ?? undefined,
      clientId: record.clientId ?? undefined, ip: record.ip ?? undefined, ...record.data,
    };
    try {
      await this.#audit.append(record);
    } catch (error) {
      log.error({ ...fields, err: error }, `${event.type}: the audit trail could not record it, so the change is refused`);
      throw error;
    }
    log.info(fields, event.type);
    this.#counter?.countSecurityEvent(event);
    return record.id;
  }
}

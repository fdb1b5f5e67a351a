import { hash } from 'node:crypto';
import type { AuditEventRecord } from '../store/store.ts';

/** The prevHash of the first event of a chain that was never pruned. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything an event says, in a fixed order: editing any of it changes the hash. */
function content(event: AuditEventRecord): string {
  return JSON.stringify([
    event.id, event.occurredAt.toISOString(), event.type, event.actor, event.accountId, event.email, event.clientId,
    event.requestId, event.ip, event.data,
  ]);
}

/** hash(n) = SHA-256(hash(n-1) ‖ seq ‖ content(n)): each event vouches for every event before it. */
export function chainHash(prevHash: string, seq: number, event: AuditEventRecord): string {
  return hash('sha256', `${prevHash}\n${seq}\n${content(event)}`, 'hex');
}

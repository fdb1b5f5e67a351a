import { randomUUID } from 'node:crypto';

/** Unique across nodes, and sorting by it sorts by time (milliseconds, fixed-width hex first). */
export function auditEventId(now: number): string {
  return `${now.toString(16).padStart(12, '0')}-${randomUUID()}`;
}

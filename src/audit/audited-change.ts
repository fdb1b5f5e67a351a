import type { SecurityEvent, SecurityEvents } from './security-events.ts';

/** The audit trail could not take an event, so what it describes was not done. */
export class AuditUnavailableError extends Error {
  constructor(type: string, cause: unknown) {
    super(`the audit trail could not record ${type}, so nothing was done (${(cause as Error).message})`, { cause });
    this.name = 'AuditUnavailableError';
  }
}

/** Records the event, or throws AuditUnavailableError. */
export async function recordOrRefuse(events: SecurityEvents, event: SecurityEvent, log?: Parameters<SecurityEvents['record']>[1]): Promise<string> {
  try {
    return await events.record(event, log);
  } catch (error) {
    throw new AuditUnavailableError(event.type, error);
  }
}

/**
 * Every administrative change (CLI or admin API) goes through here. The event is written first:
 * if the audit trail cannot take it, the change is not made. If the change then fails, a
 * `<type>.failed` event says so, so the trail never claims a change that did not happen. (No
 * transaction spans both on every backend: see DESIGN.md, "Audit trail".)
 */
export async function auditedChange<T>(events: SecurityEvents, event: SecurityEvent, change: () => Promise<T>): Promise<T> {
  const recorded = await recordOrRefuse(events, event);
  try {
    return await change();
  } catch (error) {
    await events.record({ ...event, type: `${event.type}.failed`, data: { causedBy: recorded, reason: (error as Error).message } });
    throw error;
  }
}

/**
 * Makes a change through auditedChange as one actor: the CLI binds its OS user, the admin API the
 * calling client and request. Administrative operations take one, so the event they record is
 * described once, whoever asks for the change.
 */
export type AuditedRunner = <T>(event: Omit<SecurityEvent, 'actor'>, change: () => Promise<T>) => Promise<T>;

type Fields = Record<string, unknown>;

/**
 * The fields that differ between two views of a record, as `{ before, after }` with only those
 * fields (a field absent on one side is `null` there), for the audit trail. Compared by value.
 */
export function changedFields(before: Fields, after: Fields): { before: Fields; after: Fields } {
  const changed = { before: {} as Fields, after: {} as Fields };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changed.before[key] = before[key] ?? null;
    changed.after[key] = after[key] ?? null;
  }
  return changed;
}

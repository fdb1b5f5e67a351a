import type { Next } from 'koa';
import { auditedChange, recordOrRefuse, type AuditedRunner } from '../audit/audited-change.ts';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { AdminContext } from './admin-caller.ts';
import { problemFor } from './problem-details.ts';

/** A person acting through a client is the actor (the client is in the event's clientId); otherwise the client is. */
function actorOf(ctx: AdminContext): string {
  const caller = ctx.state.adminCaller!;
  return caller.accountId ? `user:${caller.accountId}` : `client:${caller.clientId}`;
}

/** Changes made in this call are recorded as its caller, client and request, before they are made. */
export function callRunner(events: SecurityEvents, ctx: AdminContext): AuditedRunner {
  return (event, change) => {
    ctx.state.adminAudited = true;
    return auditedChange(events, {
      ...event, actor: actorOf(ctx), requestId: ctx.state.requestId, ip: ctx.ip, clientId: event.clientId ?? ctx.state.adminCaller!.clientId,
      data: { ...event.data, operation: ctx.state.adminOperation },
    }, change);
  };
}

/**
 * Every authenticated call is in the audit trail. A change records its own event (callRunner);
 * any other call is recorded here once it is answered: `admin.read`, `admin.no_change` (a write
 * that found nothing to change) or `admin.refused` (with the status and the fields at fault, never
 * their values). The answer waits for the record: if it cannot be written, the call fails.
 */
export function auditAdminCalls(events: SecurityEvents) {
  return async (ctx: AdminContext, next: Next): Promise<void> => {
    let failure: unknown;
    try {
      await next();
    } catch (error) {
      failure = error;
    }
    if (!ctx.state.adminAudited) {
      const problem = failure === undefined ? undefined : problemFor(failure);
      const type = problem ? 'admin.refused' : ctx.method === 'GET' || ctx.method === 'HEAD' ? 'admin.read' : 'admin.no_change';
      await recordOrRefuse(events, {
        type, actor: actorOf(ctx), clientId: ctx.state.adminCaller!.clientId, requestId: ctx.state.requestId, ip: ctx.ip,
        data: {
          operation: ctx.state.adminOperation ?? null,
          method: ctx.method,
          path: ctx.path,
          status: problem?.status ?? ctx.status,
          ...(problem ? { problem: problem.code } : {}),
          ...(problem?.errors ? { fields: problem.errors.map((field) => field.pointer ?? field.parameter) } : {}),
        },
      }, ctx.state.log);
    }
    if (failure !== undefined) throw failure;
  };
}

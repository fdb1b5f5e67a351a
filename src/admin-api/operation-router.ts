import Router from '@koa/router';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { AdminOperation } from './admin-operation.ts';
import { authorizeAdminCall, authorizeHelpdeskTarget, type AdminContext, type HeldPermissions } from './admin-caller.ts';
import { callRunner } from './audit-admin-calls.ts';
import { validatedInputs } from './validated-inputs.ts';

/** `/users/{id}` (OpenAPI) as `/users/:id` (@koa/router). */
export function routerPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export interface OperationRouting {
  events: SecurityEvents;
  /** The admin API's resource indicator: the audience its tokens must have. */
  audience: string;
  /** What a user an operation is about holds on the admin API (the help desk changes no one stronger). */
  heldPermissions: HeldPermissions;
}

/**
 * A noun's router, made from its operations: each route authorizes the caller for the
 * operation's access, validates the inputs with the operation's schemas, then runs its handler.
 */
export function operationRouter(prefix: string, operations: readonly AdminOperation[], routing: OperationRouting): Router {
  const router = new Router({ prefix });
  for (const operation of operations) {
    router[operation.method](routerPath(operation.path), async (ctx) => {
      const call = ctx as unknown as AdminContext & { params: Record<string, string> };
      call.state.adminOperation = operation.id;
      authorizeAdminCall(call.state.adminCaller!, operation, routing.audience);
      // Every help-desk change is about the user in `{id}` (/users/{id}/...).
      await authorizeHelpdeskTarget(call.state.adminCaller!, operation, call.params.id, routing.heldPermissions);
      const inputs = await validatedInputs(call, operation);
      const answer = await operation.handle({ ...inputs, audited: callRunner(routing.events, call) } as never);
      call.set('Cache-Control', 'no-store');
      call.status = answer.status ?? operation.success.status;
      if (answer.body !== undefined) call.body = answer.body;
    });
  }
  return router;
}

import type { z } from 'zod';
import type { AuditedRunner } from '../audit/audited-change.ts';

/**
 * What an operation does, for the scope it needs: `read` (keyline:admin:read or keyline:admin) or
 * `write` (keyline:admin); a help-desk operation also takes keyline:helpdesk (see admin-caller.ts).
 */
export type AdminAccess = 'read' | 'write';

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler gets: its validated inputs, and the way to make a change as the calling client. */
export interface AdminCall<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Records the change's event (actor `client:<id>` or `user:<id>`, this request) before making it; see auditedChange. */
  audited: AuditedRunner;
}

export interface AdminAnswer<R> {
  status?: number;
  body?: R;
}

export interface AdminSuccess<R> {
  status: 200 | 201 | 204;
  description: string;
  schema?: R;
}

export interface OperationSpec<P, Q, B, R> {
  /** OpenAPI operationId, also what the audit trail records for a read (`listUsers`, ...). */
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form, below /admin/v1: `/users/{id}`. */
  path: string;
  summary: string;
  description?: string;
  access: AdminAccess;
  /** One of the help desk's operations (users, their sessions, factors, locks and reset links): keyline:helpdesk suffices. */
  helpdesk?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  success: AdminSuccess<R>;
  /** The problem statuses this operation may answer with, besides the ones every call may (401, 403, 503). */
  problems: readonly number[];
  handle(call: AdminCall<Output<P>, Output<Q>, Output<B>>): Promise<AdminAnswer<R extends z.ZodType ? z.input<R> : never>>;
}

/**
 * One operation of the admin API, declared once: its schemas validate the request, the same
 * schemas describe it in the OpenAPI document, and its handler runs when both pass.
 */
export type AdminOperation = OperationSpec<z.ZodObject | undefined, z.ZodObject | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function defineOperation<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(spec: OperationSpec<P, Q, B, R>): AdminOperation {
  return spec as unknown as AdminOperation;
}

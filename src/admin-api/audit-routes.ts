import { eventsAboutUser } from '../audit/events-about-user.ts';
import type { AuditEventRecord } from '../store/store.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOf } from './paging.ts';
import { auditEventPageSchema, auditQuerySchema } from './schemas/audit-schemas.ts';

function auditEventView(event: AuditEventRecord) {
  const { prevHash: _prevHash, occurredAt, ...rest } = event;
  return { ...rest, occurredAt: occurredAt.toISOString() };
}

/** The audit trail, newest first: by user, type and time. */
export function auditOperations({ store }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'queryAuditEvents', method: 'get', path: '/audit-events', summary: 'Security events, newest first', access: 'read',
      query: auditQuerySchema,
      success: { status: 200, description: 'A page of events', schema: auditEventPageSchema },
      problems: [422],
      async handle({ query }) {
        const events = await store.audit.query({
          ...(query.user ? await eventsAboutUser(store, query.user) : {}),
          type: query.type,
          since: query.since ? new Date(query.since) : undefined,
          before: query.cursor ? { occurredAt: new Date(query.cursor.occurredAt), id: query.cursor.id } : undefined,
          limit: query.limit + 1,
        });
        return { body: pageOf(events, query.limit, (event) => ({ occurredAt: event.occurredAt.toISOString(), id: event.id }), auditEventView) };
      },
    }),
  ];
}

import { z } from 'zod';
import { cursorParameter, limitParameter, pageSchema } from '../paging.ts';

export const auditEventSchema = z.object({
  id: z.string(),
  occurredAt: z.iso.datetime(),
  type: z.string().meta({ example: 'user.disabled' }),
  actor: z.string().meta({ description: '`cli:<os user>`, `client:<client id>` (this API), `user:<account id>` or `system`.' }),
  accountId: z.string().nullable(),
  email: z.string().nullable(),
  clientId: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).meta({ description: 'What happened: before/after of changed fields, ids; never a secret.' }),
  seq: z.number().int().nullable().meta({ description: 'Its place in the hash chain; null until it is linked (about a second).' }),
  hash: z.string().nullable(),
}).meta({ id: 'AuditEvent' });

export const auditEventPageSchema = pageSchema(auditEventSchema, 'AuditEventPage');

export const auditQuerySchema = z.strictObject({
  user: z.string().trim().toLowerCase().min(1).max(320).optional().meta({ description: 'Events about the user with this email (or naming it).' }),
  type: z.string().min(1).max(100).optional().meta({ example: 'login.failed' }),
  since: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only events at or after this time (RFC 3339).' }),
  cursor: cursorParameter(z.object({ occurredAt: z.iso.datetime(), id: z.string() })),
  limit: limitParameter,
});

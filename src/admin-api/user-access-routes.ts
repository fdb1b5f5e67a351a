import { requireUserById } from '../accounts/user-administration.ts';
import { accessReport } from '../authorization/access-report.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { userAccessSchema } from './schemas/access-schemas.ts';
import { userPathSchema } from './schemas/user-schemas.ts';

/** What a person holds right now: the same computation that decides their tokens. */
export function userAccessOperations({ store, issuer, accounts }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'getUserAccess', method: 'get', path: '/users/{id}/access',
      summary: 'The user\'s groups (inherited ones included), roles with where each comes from, and permissions per API', access: 'read', helpdesk: true,
      params: userPathSchema,
      success: { status: 200, description: 'The user\'s access as the next token would carry it', schema: userAccessSchema },
      problems: [404],
      async handle({ params }) {
        return { body: await accessReport(store, issuer, (await requireUserById(accounts, params.id)).id) };
      },
    }),
  ];
}

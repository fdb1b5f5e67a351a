import { requireUserById, revokeUserSession, revokeUserSessions } from '../accounts/user-administration.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import { revokedSchema, sessionPageSchema, sessionPathSchema } from './schemas/session-schemas.ts';
import { userPathSchema } from './schemas/user-schemas.ts';

/** A user's sessions: list them, end one (with what was granted through it), or end them all. */
export function sessionOperations({ accounts }: AdminDependencies): AdminOperation[] {
  const requireUser = (id: string) => requireUserById(accounts, id);

  return [
    defineOperation({
      id: 'listUserSessions', method: 'get', path: '/users/{id}/sessions', summary: 'The user\'s live sessions', access: 'read', helpdesk: true,
      params: userPathSchema,
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of sessions, by uid', schema: sessionPageSchema },
      problems: [404, 422],
      async handle({ params, query }) {
        const sessions = (await accounts.listSessions((await requireUser(params.id)).id))
          .filter((session) => session.uid !== null).sort((a, b) => (a.uid! < b.uid! ? -1 : 1));
        return { body: pageOfSorted(sessions, (session) => session.uid!, query.cursor?.after, query.limit, (session) => session) };
      },
    }),
    defineOperation({
      id: 'revokeUserSession', method: 'delete', path: '/users/{id}/sessions/{uid}',
      summary: 'End one session, and every grant and token (refresh tokens too) given through it', access: 'write', helpdesk: true,
      params: sessionPathSchema,
      success: { status: 204, description: 'The session ended' },
      problems: [404],
      async handle({ params, audited }) {
        const account = await requireUser(params.id);
        if (!await revokeUserSession({ accounts, audited }, account, params.uid)) throw new NotFoundError('session', params.uid);
        return {};
      },
    }),
    defineOperation({
      id: 'revokeUserSessions', method: 'delete', path: '/users/{id}/sessions',
      summary: 'Sign the user out everywhere: every session, grant, code and token ends now', access: 'write', helpdesk: true,
      params: userPathSchema,
      success: { status: 200, description: 'How much ended', schema: revokedSchema },
      problems: [404],
      async handle({ params, audited }) {
        return { body: { removed: await revokeUserSessions({ accounts, audited }, await requireUser(params.id)) } };
      },
    }),
  ];
}

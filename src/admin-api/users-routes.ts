import { accountView } from '../accounts/account-view.ts';
import {
  createUser, removeUser, requireUserById, resetUserSecondFactors, setUserPassword, unlockUser, updateUser, verifyUserEmail, type UserAdministration,
} from '../accounts/user-administration.ts';
import type { AuditedRunner } from '../audit/audited-change.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOf } from './paging.ts';
import {
  listUsersQuerySchema, newPasswordSchema, newUserSchema, removalSchema, toProfileChange, userChangesSchema, userDetailsSchema, userPageSchema,
  userPathSchema, userSchema,
} from './schemas/user-schemas.ts';

/** Users: create, read, list (by email, paged), update, password, email verification, unlock, second factors, remove. */
export function userOperations({ store, accounts, attributes }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): UserAdministration => ({ accounts, audited, attributes });
  const requireUser = (id: string) => requireUserById(accounts, id);

  return [
    defineOperation({
      id: 'createUser', method: 'post', path: '/users', summary: 'Create a user', access: 'write',
      body: newUserSchema,
      success: { status: 201, description: 'The new user', schema: userSchema },
      problems: [409, 422],
      async handle({ body, audited }) {
        const account = await createUser(administration(audited), { ...body, profile: toProfileChange(body.profile) });
        return { body: accountView(account) };
      },
    }),
    defineOperation({
      id: 'listUsers', method: 'get', path: '/users', summary: 'List users in email order, optionally those whose email contains some text', access: 'read', helpdesk: true,
      query: listUsersQuerySchema,
      success: { status: 200, description: 'A page of users', schema: userPageSchema },
      problems: [422],
      async handle({ query }) {
        const accountsRead = await store.accounts.page({ afterEmail: query.cursor?.after, emailContains: query.email, limit: query.limit + 1 });
        return { body: pageOf(accountsRead, query.limit, (account) => ({ after: account.email }), accountView) };
      },
    }),
    defineOperation({
      id: 'getUser', method: 'get', path: '/users/{id}', summary: 'A user, with their second factors (never secrets) and unused recovery codes', access: 'read', helpdesk: true,
      params: userPathSchema,
      success: { status: 200, description: 'The user', schema: userDetailsSchema },
      problems: [404],
      async handle({ params }) {
        const account = await requireUser(params.id);
        return { body: { ...accountView(account), ...await accounts.secondFactors(account.id) } };
      },
    }),
    defineOperation({
      id: 'updateUser', method: 'patch', path: '/users/{id}', summary: 'Change a user\'s name, standard claims, custom attributes or whether they are disabled', access: 'write',
      params: userPathSchema,
      body: userChangesSchema,
      success: { status: 200, description: 'The user as changed', schema: userSchema },
      problems: [404, 422],
      async handle({ params, body, audited }) {
        const account = await updateUser(administration(audited), await requireUser(params.id), { ...body, profile: toProfileChange(body.profile) });
        return { body: accountView(account) };
      },
    }),
    defineOperation({
      id: 'setUserPassword', method: 'put', path: '/users/{id}/password', summary: 'Set a new password; ends every session and grant of the user', access: 'write',
      params: userPathSchema,
      body: newPasswordSchema,
      success: { status: 204, description: 'The password is changed' },
      problems: [404, 422],
      async handle({ params, body, audited }) {
        await setUserPassword(administration(audited), await requireUser(params.id), body.password);
        return {};
      },
    }),
    defineOperation({
      id: 'verifyUserEmail', method: 'post', path: '/users/{id}/email-verification', summary: 'Mark the user\'s email as verified (the administrator vouches for it)', access: 'write',
      params: userPathSchema,
      success: { status: 200, description: 'The user', schema: userSchema },
      problems: [404],
      async handle({ params, audited }) {
        return { body: accountView(await verifyUserEmail(administration(audited), await requireUser(params.id))) };
      },
    }),
    defineOperation({
      id: 'unlockUser', method: 'post', path: '/users/{id}/unlock', summary: 'Forget failed sign-in attempts and locks for the user, from every IP', access: 'write', helpdesk: true,
      params: userPathSchema,
      success: { status: 204, description: 'Unlocked' },
      problems: [404],
      async handle({ params, audited }) {
        await unlockUser(administration(audited), (await requireUser(params.id)).email);
        return {};
      },
    }),
    defineOperation({
      id: 'resetUserSecondFactors', method: 'delete', path: '/users/{id}/factors',
      summary: 'Remove every second factor and recovery code of the user, and sign them out everywhere', access: 'write', helpdesk: true,
      params: userPathSchema,
      success: { status: 200, description: 'What was removed', schema: removalSchema },
      problems: [404],
      async handle({ params, audited }) {
        return { body: await resetUserSecondFactors(administration(audited), await requireUser(params.id)) };
      },
    }),
    defineOperation({
      id: 'removeUser', method: 'delete', path: '/users/{id}',
      summary: 'Remove a user, with their sessions, grants, tokens, second factors, recovery codes and consents', access: 'write',
      params: userPathSchema,
      success: { status: 200, description: 'What was removed with the user', schema: removalSchema },
      problems: [404],
      async handle({ params, audited }) {
        return { body: await removeUser(administration(audited), await requireUser(params.id)) };
      },
    }),
  ];
}

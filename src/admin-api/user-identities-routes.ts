import { z } from 'zod';
import { requireUserById } from '../accounts/user-administration.ts';
import { linkedIdentities, unlinkIdentity } from '../federation/linked-identities.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { userPathSchema } from './schemas/user-schemas.ts';

const linkedIdentitySchema = z.object({
  upstreamId: z.string(),
  upstream: z.string().meta({ description: 'The upstream\'s display name (its id when it was removed).' }),
  subject: z.string().meta({ description: 'What identifies the person at the upstream (issuer-scoped sub, user id, DN); never an email.' }),
  linkedAt: z.iso.datetime(),
  lastSignInAt: z.iso.datetime().nullable(),
}).meta({ id: 'LinkedIdentity' });

const identityPathSchema = userPathSchema.extend({
  upstream: z.string().min(1).max(100).meta({ description: 'The upstream\'s id.' }),
  subject: z.string().min(1).max(2000).meta({ description: 'The subject at the upstream, URL-encoded.' }),
});

/**
 * A user's linked upstream identities: list them, and remove one. An administrator may remove the
 * last way in (off-boarding, a wrong link); the account then signs in with a password (reset) or a
 * new link under the linking rules. Audited as `federation.unlinked`.
 */
export function userIdentityOperations({ store, accounts }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'listUserIdentities', method: 'get', path: '/users/{id}/identities',
      summary: 'The upstream identities linked to the user, oldest first', access: 'read',
      params: userPathSchema,
      success: { status: 200, description: 'The linked identities', schema: z.object({ identities: z.array(linkedIdentitySchema) }) },
      problems: [404],
      async handle({ params }) {
        const account = await requireUserById(accounts, params.id);
        const identities = (await linkedIdentities(store, account.id)).map((link) => ({
          ...link, linkedAt: link.linkedAt.toISOString(), lastSignInAt: link.lastSignInAt?.toISOString() ?? null,
        }));
        return { body: { identities } };
      },
    }),
    defineOperation({
      id: 'unlinkUserIdentity', method: 'delete', path: '/users/{id}/identities/{upstream}/{subject}',
      summary: 'Remove one upstream identity from the user (even the last way in)', access: 'write',
      params: identityPathSchema,
      success: { status: 204, description: 'Unlinked' },
      problems: [404, 409, 422],
      async handle({ params, audited }) {
        const account = await requireUserById(accounts, params.id);
        // Thrown inside the change, so the trail records `federation.unlinked.failed` rather than an unlink that did not happen.
        await audited(
          { type: 'federation.unlinked', accountId: account.id, email: account.email, data: { upstream: params.upstream, subject: params.subject, during: 'admin' } },
          async () => {
            const outcome = await unlinkIdentity(store, account, params.upstream, params.subject, { allowLast: true });
            if (outcome === 'not_found') throw new NotFoundError('linked identity', `${params.upstream}/${params.subject}`);
            if (outcome === 'busy') throw new StateConflictError('another change to this user\'s sign-in methods is under way; try again');
          },
        );
        return {};
      },
    }),
  ];
}

import {
  createInitialAccessToken, listInitialAccessTokens, revokeInitialAccessToken, type ListedInitialAccessToken,
} from '../oidc/dynamic-registration/initial-access-tokens.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  createdRegistrationTokenSchema, newRegistrationTokenSchema, registrationTokenPageSchema, registrationTokenPathSchema,
} from './schemas/registration-token-schemas.ts';

function view(token: ListedInitialAccessToken) {
  return { id: token.id, expiresAt: token.expiresAt?.toISOString() ?? null, maxUses: token.maxUses, uses: token.uses };
}

/** Initial access tokens for dynamic client registration, as `keyline registration token` manages them. */
export function registrationTokenOperations({ store, provider }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'listRegistrationTokens', method: 'get', path: '/registration-tokens', summary: 'The live initial access tokens, never their values', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of tokens, by id', schema: registrationTokenPageSchema },
      problems: [422],
      async handle({ query }) {
        const tokens = (await listInitialAccessTokens(store)).sort((a, b) => (a.id < b.id ? -1 : 1));
        return { body: pageOfSorted(tokens, (token) => token.id, query.cursor?.after, query.limit, view) };
      },
    }),
    defineOperation({
      id: 'createRegistrationToken', method: 'post', path: '/registration-tokens', summary: 'Create an initial access token (shown this once)', access: 'write',
      body: newRegistrationTokenSchema,
      success: { status: 201, description: 'The token, this once', schema: createdRegistrationTokenSchema },
      problems: [422],
      async handle({ body, audited }) {
        const created = await createInitialAccessToken(provider, audited, body.expiresInSeconds, body.maxUses);
        return {
          status: 201,
          body: { id: created.id, token: created.token, expiresAt: created.expiresAt.toISOString(), maxUses: body.maxUses ?? null, uses: body.maxUses ? 0 : null },
        };
      },
    }),
    defineOperation({
      id: 'revokeRegistrationToken', method: 'delete', path: '/registration-tokens/{tokenId}', summary: 'End an initial access token at once', access: 'write',
      description: 'Clients it registered stay.',
      params: registrationTokenPathSchema,
      success: { status: 204, description: 'Revoked' },
      problems: [404],
      async handle({ params, audited }) {
        if (!await revokeInitialAccessToken(store, audited, params.tokenId)) throw new NotFoundError('registration token', params.tokenId);
        return {};
      },
    }),
  ];
}

import { signingKeyView } from '../keys/signing-key-view.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import { rotationRequestSchema, rotationSchema, signingKeyPageSchema } from './schemas/signing-key-schemas.ts';

/** Signing keys: the schedule (never private parts), and a rotation now. */
export function signingKeyOperations({ keys }: AdminDependencies): AdminOperation[] {
  return [
    defineOperation({
      id: 'listSigningKeys', method: 'get', path: '/signing-keys', summary: 'The signing keys and where each is in its schedule', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of keys, by kid', schema: signingKeyPageSchema },
      problems: [422],
      async handle({ query }) {
        await keys.refresh({ maintain: false });
        const scheduled = [...keys.view.keys].sort((a, b) => (a.key.kid < b.key.kid ? -1 : 1));
        return { body: pageOfSorted(scheduled, (entry) => entry.key.kid, query.cursor?.after, query.limit, signingKeyView) };
      },
    }),
    defineOperation({
      id: 'rotateSigningKeys', method: 'post', path: '/signing-keys/rotation',
      summary: 'Start a rotation: a new key per algorithm, pre-published, or signing at once with `now`', access: 'write',
      body: rotationRequestSchema,
      success: { status: 200, description: 'The new keys', schema: rotationSchema },
      problems: [422],
      async handle({ body, audited }) {
        const algorithms = body.algorithms;
        const rotated = await audited({ type: 'keys.rotated', data: { algorithms: algorithms ?? 'all', immediately: body.now } },
          () => keys.rotate({ immediately: body.now, algorithms }));
        return { body: { rotated: rotated.map((result) => ({ ...result, activatesAt: result.activatesAt.toISOString() })) } };
      },
    }),
  ];
}

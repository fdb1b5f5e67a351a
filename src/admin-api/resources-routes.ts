import type { AuditedRunner } from '../audit/audited-change.ts';
import { createResource, removeResource, updateResource, type ResourceAdministration } from '../oidc/resource-administration.ts';
import { NotFoundError } from '../store/store-errors.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  newResourceBodySchema, resourceChangesSchema, resourcePageSchema, resourcePathSchema, resourceSchema, resourceView,
} from './schemas/resource-schemas.ts';

/** API resources (what `keyline resources` manages): built-in and configured ones are listed and read, stored ones changed too. */
export function resourceOperations({ store, resources, claimScopes }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): ResourceAdministration => ({ store, registry: resources, audited, claimScopes });

  return [
    defineOperation({
      id: 'createResource', method: 'post', path: '/resources', summary: 'Register an API that receives JWT access tokens; served at once, without a restart', access: 'write',
      body: newResourceBodySchema,
      success: { status: 201, description: 'The new resource', schema: resourceSchema },
      problems: [409, 422],
      async handle({ body: { indicator, ...settings }, audited }) {
        return { body: resourceView(await createResource(administration(audited), indicator, settings)) };
      },
    }),
    defineOperation({
      id: 'listResources', method: 'get', path: '/resources', summary: 'List API resources: built-in, configured and stored, by indicator', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of resources', schema: resourcePageSchema },
      problems: [422],
      async handle({ query }) {
        const all = (await resources.list()).sort((a, b) => (a.indicator < b.indicator ? -1 : 1));
        return { body: pageOfSorted(all, (resource) => resource.indicator, query.cursor?.after, query.limit, resourceView) };
      },
    }),
    defineOperation({
      id: 'getResource', method: 'get', path: '/resources/{indicator}', summary: 'One API resource', access: 'read',
      params: resourcePathSchema,
      success: { status: 200, description: 'The resource', schema: resourceSchema },
      problems: [404],
      async handle({ params }) {
        const resource = (await resources.list()).find((candidate) => candidate.indicator === params.indicator);
        if (!resource) throw new NotFoundError('resource', params.indicator);
        return { body: resourceView(resource) };
      },
    }),
    defineOperation({
      id: 'updateResource', method: 'patch', path: '/resources/{indicator}',
      summary: 'Change a stored resource\'s name, scopes, signing algorithm, token lifetime or RBAC', access: 'write',
      description: 'A scope still given to a client, or still a permission of a role, cannot be taken away (409): take it from the client or role first.',
      params: resourcePathSchema,
      body: resourceChangesSchema,
      success: { status: 200, description: 'The resource as changed', schema: resourceSchema },
      problems: [404, 409, 422],
      async handle({ params, body, audited }) {
        return { body: resourceView(await updateResource(administration(audited), params.indicator, body)) };
      },
    }),
    defineOperation({
      id: 'removeResource', method: 'delete', path: '/resources/{indicator}', summary: 'Remove a stored resource no client is given any more and no role belongs to', access: 'write',
      params: resourcePathSchema,
      success: { status: 204, description: 'Removed' },
      problems: [404, 409],
      async handle({ params, audited }) {
        await removeResource(administration(audited), params.indicator);
        return {};
      },
    }),
  ];
}

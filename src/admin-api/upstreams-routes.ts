import type { AuditedRunner } from '../audit/audited-change.ts';
import {
  createUpstream, removeUpstream, requireUpstream, updateUpstream, upstreamView, type UpstreamAdministration,
} from '../federation/upstream-administration.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  newUpstreamBodySchema, upstreamChangesSchema, upstreamPageSchema, upstreamPathSchema, upstreamSchema,
} from './schemas/upstream-schemas.ts';

/** Upstream identity providers (what `keyline upstreams` manages). Secrets go in, never out. */
export function upstreamOperations({ store, sealer }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): UpstreamAdministration => ({ store, audited, sealer });

  return [
    defineOperation({
      id: 'createUpstream', method: 'post', path: '/upstreams',
      summary: 'Add an upstream identity provider (OpenID Connect, OAuth 2.0 or LDAP); served at once, without a restart', access: 'write',
      description: 'Secrets (clientSecret, bindPassword, privateKey) are sealed at rest and never returned. URLs must be https (plain http only to loopback); LDAP needs ldaps:// or StartTLS.',
      body: newUpstreamBodySchema,
      success: { status: 201, description: 'The new upstream (secrets only named)', schema: upstreamSchema },
      problems: [409, 422],
      async handle({ body, audited }) {
        return { body: upstreamView(await createUpstream(administration(audited), body)) };
      },
    }),
    defineOperation({
      id: 'listUpstreams', method: 'get', path: '/upstreams', summary: 'List upstream identity providers, by id', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of upstreams', schema: upstreamPageSchema },
      problems: [422],
      async handle({ query }) {
        return { body: pageOfSorted(await store.upstreams.list(), (upstream) => upstream.id, query.cursor?.after, query.limit, upstreamView) };
      },
    }),
    defineOperation({
      id: 'getUpstream', method: 'get', path: '/upstreams/{id}', summary: 'One upstream identity provider', access: 'read',
      params: upstreamPathSchema,
      success: { status: 200, description: 'The upstream (secrets only named)', schema: upstreamSchema },
      problems: [404, 422],
      async handle({ params }) {
        return { body: upstreamView(await requireUpstream(store, params.id)) };
      },
    }),
    defineOperation({
      id: 'updateUpstream', method: 'patch', path: '/upstreams/{id}', summary: 'Change an upstream\'s settings, secrets, domains or mapping', access: 'write',
      params: upstreamPathSchema,
      body: upstreamChangesSchema,
      success: { status: 200, description: 'The upstream as changed', schema: upstreamSchema },
      problems: [404, 409, 422],
      async handle({ params, body, audited }) {
        return { body: upstreamView(await updateUpstream(administration(audited), params.id, body)) };
      },
    }),
    defineOperation({
      id: 'removeUpstream', method: 'delete', path: '/upstreams/{id}',
      summary: 'Remove an upstream and the identities linked through it (the accounts stay)', access: 'write',
      params: upstreamPathSchema,
      success: { status: 204, description: 'Removed' },
      problems: [404, 422],
      async handle({ params, audited }) {
        await removeUpstream(administration(audited), params.id);
        return {};
      },
    }),
  ];
}

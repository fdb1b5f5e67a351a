import type { AuditedRunner } from '../audit/audited-change.ts';
import {
  createClient, removeClient, requireClient, rotateClientSecret, updateClient, type AdministeredClient, type ClientAdministration,
} from '../oidc/client-administration.ts';
import type { AdminDependencies } from './admin-dependencies.ts';
import { defineOperation, type AdminOperation } from './admin-operation.ts';
import { pageOfSorted, pagingQuerySchema } from './paging.ts';
import {
  clientChangesSchema, clientPageSchema, clientPathSchema, clientSchema, clientSecretSchema, clientView, clientWithSecretSchema, 
  newClientSchema, toClientSettings,
} from './schemas/client-schemas.ts';

const withSecret = ({ client, clientSecret }: AdministeredClient) => ({ ...clientView(client), ...(clientSecret ? { clientSecret } : {}) });

/** Clients: every setting goes through registerClient/changeClient, the one place client settings are validated. */
export function clientOperations({ store, provider, resources, allowPrivateNetworks, claimScopes }: AdminDependencies): AdminOperation[] {
  const administration = (audited: AuditedRunner): ClientAdministration => ({ store, registration: { provider, resources, allowPrivateNetworks, claimScopes, upstreamExists: async (id) => (await store.upstreams.find(id)) !== undefined }, audited });

  return [
    defineOperation({
      id: 'createClient', method: 'post', path: '/clients', summary: 'Register a client; a confidential one\'s secret is in this answer only', access: 'write',
      body: newClientSchema,
      success: { status: 201, description: 'The new client, with its secret when it has one', schema: clientWithSecretSchema },
      problems: [422],
      async handle({ body, audited }) {
        const { name, ...rest } = toClientSettings(body);
        return { body: withSecret(await createClient(administration(audited), { ...rest, name: name ?? body.name })) };
      },
    }),
    defineOperation({
      id: 'listClients', method: 'get', path: '/clients', summary: 'List clients by client id', access: 'read',
      query: pagingQuerySchema,
      success: { status: 200, description: 'A page of clients', schema: clientPageSchema },
      problems: [422],
      async handle({ query }) {
        const clients = (await store.clients.list()).sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
        return { body: pageOfSorted(clients, (client) => client.clientId, query.cursor?.after, query.limit, clientView) };
      },
    }),
    defineOperation({
      id: 'getClient', method: 'get', path: '/clients/{clientId}', summary: 'A client\'s settings (never its secret)', access: 'read',
      params: clientPathSchema,
      success: { status: 200, description: 'The client', schema: clientSchema },
      problems: [404],
      async handle({ params }) {
        return { body: clientView(await requireClient(store, params.clientId)) };
      },
    }),
    defineOperation({
      id: 'updateClient', method: 'patch', path: '/clients/{clientId}',
      summary: 'Change any setting; running servers use it within a quarter second', access: 'write',
      description: 'A public client made confidential gets a new secret, in this answer only; one made public loses its secret.',
      params: clientPathSchema,
      body: clientChangesSchema,
      success: { status: 200, description: 'The client as changed', schema: clientWithSecretSchema },
      problems: [404, 422],
      async handle({ params, body, audited }) {
        return { body: withSecret(await updateClient(administration(audited), params.clientId, toClientSettings(body))) };
      },
    }),
    defineOperation({
      id: 'rotateClientSecret', method: 'post', path: '/clients/{clientId}/secret',
      summary: 'Issue a new secret, in this answer only; the old one stops working within a quarter second on every node', access: 'write',
      params: clientPathSchema,
      success: { status: 200, description: 'The new secret', schema: clientSecretSchema },
      problems: [404, 409],
      async handle({ params, audited }) {
        return { body: { clientId: params.clientId, clientSecret: await rotateClientSecret(administration(audited), params.clientId) } };
      },
    }),
    defineOperation({
      id: 'removeClient', method: 'delete', path: '/clients/{clientId}',
      summary: 'Remove a client: its secret and tokens stop working, and its consents are forgotten', access: 'write',
      params: clientPathSchema,
      success: { status: 204, description: 'Removed' },
      problems: [404],
      async handle({ params, audited }) {
        await removeClient(administration(audited), params.clientId);
        return {};
      },
    }),
  ];
}

import { z } from 'zod';
import type { ResourceDefinition } from '../../oidc/resource-registry.ts';
import { newResourceSchema, resourceSettingsSchema } from '../../oidc/resource-settings.ts';
import type { ResourceRecord } from '../../store/store.ts';
import { pageSchema } from '../paging.ts';

/** API resources in the admin API; the settings schema is the one the CLI checks its options with. */
export const newResourceBodySchema = newResourceSchema.meta({ id: 'NewResource' });
export const resourceChangesSchema = resourceSettingsSchema.partial().meta({ id: 'ResourceChanges', description: 'Only the settings given change.' });

export const resourceSchema = z.object({
  indicator: z.string(),
  name: z.string().nullable(),
  scopes: z.array(z.string()),
  signingAlg: z.string(),
  accessTokenTtl: z.number().int().nullable(),
  metadataUri: z.string().nullable().meta({ description: 'Where the API publishes its RFC 9728 protected-resource metadata; discovery links to it.' }),
  rbac: z.union([z.boolean(), z.literal('people')]).meta({
    description: 'Role-based access control: tokens carry the scopes the subject\'s roles permit, and `roles` and `permissions`. '
      + '`people`: for a person\'s token only (the admin API, through the built-in roles); a client\'s keeps its registered scopes.',
  }),
  source: z.enum(['builtin', 'config', 'store']).meta({ description: 'Only resources from the store can be changed here; the others are fixed.' }),
}).meta({ id: 'Resource' });

export const resourcePageSchema = pageSchema(resourceSchema, 'ResourcePage');

export const resourcePathSchema = z.object({
  indicator: z.string().min(1).max(2000).meta({ description: 'The resource indicator, percent-encoded as one path segment.' }),
});

export function resourceView(resource: ResourceDefinition | ResourceRecord): z.input<typeof resourceSchema> {
  return {
    indicator: resource.indicator,
    name: resource.name ?? null,
    scopes: resource.scopes,
    signingAlg: resource.signingAlg,
    accessTokenTtl: resource.accessTokenTtl ?? null,
    metadataUri: resource.metadataUri ?? null,
    rbac: resource.rbac === 'people' ? 'people' : resource.rbac === true,
    source: 'source' in resource ? resource.source : 'store',
  };
}

import { z } from 'zod';
import { newUpstreamSchema, upstreamIdSchema, upstreamSettingsSchema } from '../../federation/upstream-settings.ts';
import { pageSchema } from '../paging.ts';

/** Upstream identity providers in the admin API; the settings schema is the one the CLI checks its options with. */
export const newUpstreamBodySchema = newUpstreamSchema.meta({ id: 'NewUpstream' });
export const upstreamChangesSchema = upstreamSettingsSchema.partial().extend({
  keepLinks: z.boolean().optional().meta({ description: 'Changing the issuer, user endpoint, subject claim or LDAP URL of an upstream people are linked through is refused unless this says its subjects stay the same (the provider moved).' }),
}).meta({
  id: 'UpstreamChanges', description: 'Only the settings given change; a secret given replaces the stored one. The type and preset never change.',
});

export const upstreamSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['oidc', 'oauth2', 'ldap']),
  enabled: z.boolean(),
  preset: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()).meta({ description: 'The type\'s settings (issuer, client id, endpoints, LDAP URL...); never a secret.' }),
  secrets: z.array(z.string()).meta({ description: 'Which secrets are set; their values are never returned.' }),
  domains: z.array(z.string()),
  provisioning: z.enum(['create', 'link-only', 'deny']),
  sync: z.enum(['always', 'first']),
  trustMfa: z.boolean(),
  mapping: z.object({
    claims: z.record(z.string(), z.string()),
    groups: z.array(z.object({ claim: z.string(), value: z.string(), group: z.string() })),
  }),
  upstreamLogout: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Upstream' });

export const upstreamPageSchema = pageSchema(upstreamSchema, 'UpstreamPage');

export const upstreamPathSchema = z.object({ id: upstreamIdSchema });

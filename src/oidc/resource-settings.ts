import { z } from 'zod';
import { SIGNING_ALGS } from '../config/schema.ts';
import { isOidcScope } from './keyline-client-metadata.ts';

/**
 * The settings of an API resource an administrator may give, as one schema: the admin API
 * validates (and documents) requests with it, and the CLI checks its options with it.
 */
const API_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const resourceIndicatorSchema = z.string().refine(
  (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !new URL(value).hash,
  { error: (issue) => `"${String(issue.input)}" is not a resource indicator: use the API's http:// or https:// URL, without a #fragment` },
).meta({ description: 'The resource indicator (RFC 8707): the API\'s URL, which its tokens carry as `aud`.', example: 'https://api.example.com' });

const apiScopeSchema = z.string()
  .regex(API_SCOPE, { error: (issue) => `"${String(issue.input)}" cannot be an API scope: one word, no quotes or backslashes` })
  .refine((scope) => !isOidcScope(scope), { error: (issue) => `"${String(issue.input)}" cannot be an API scope (it is an OpenID scope)` });

const metadataUriSchema = z.string().refine(
  (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !new URL(value).hash,
  { error: (issue) => `"${String(issue.input)}" is not an http:// or https:// URL without a #fragment` },
);

export const resourceSettingsSchema = z.strictObject({
  name: z.string().trim().min(1).max(80).nullable()
    .meta({ description: 'What the consent page calls the API; its host when null.' }),
  scopes: z.array(apiScopeSchema).max(100).transform((scopes) => [...new Set(scopes)])
    .meta({ description: 'The API\'s scopes; clients are given some of them.' }),
  signingAlg: z.enum(SIGNING_ALGS, { error: `must be one of ${SIGNING_ALGS.join(', ')}` }).meta({ description: 'How its access tokens are signed.' }),
  accessTokenTtl: z.number().int().min(1).max(9_999_999).nullable()
    .meta({ description: 'Access token lifetime in seconds; `ttl.accessToken` when null.' }),
  metadataUri: metadataUriSchema.nullable()
    .meta({ description: 'Where the API publishes its RFC 9728 protected-resource metadata, which discovery then links to; not listed when null.' }),
  rbac: z.boolean().meta({
    description: 'Role-based access control: a token\'s scope for this API is what was asked, what the client is registered for, '
      + 'and what the subject\'s roles permit; the token carries `roles` and `permissions` for this API.',
  }),
});

export type ResourceSettings = z.output<typeof resourceSettingsSchema>;

/** A new resource: its indicator, and any setting that should not take its default. */
export const newResourceSchema = resourceSettingsSchema.partial().extend({ indicator: resourceIndicatorSchema });

export const RESOURCE_DEFAULTS: ResourceSettings = { name: null, scopes: [], signingAlg: 'RS256', accessTokenTtl: null, metadataUri: null, rbac: false };

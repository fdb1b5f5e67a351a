import { z } from 'zod';
import { CLIENT_GRANT_TYPES, clientSettingsOf, type ClientSettings } from '../../oidc/client-registration.ts';
import { CLIENT_PROFILES } from '../../oidc/keyline-client-metadata.ts';
import { upstreamIdSchema } from '../../federation/upstream-settings.ts';
import type { ClientRecord } from '../../store/store.ts';
import { pageSchema } from '../paging.ts';

/**
 * Clients in the admin API, in the vocabulary of ClientSettings (client-registration.ts), which
 * checks every rule: these schemas give the shape of each setting, and registerClient/changeClient
 * decide what is allowed. A setting added to ClientSettings must be added here too (the type check
 * below fails until it is); an optional one is cleared with null.
 */
const uri = z.string().min(1).max(2000);
const clearable = <S extends z.ZodType>(schema: S) => schema.nullable().meta({ description: 'null clears it.' });

const settingsShape = {
  name: z.string().max(200).meta({ description: 'Shown on the consent page.' }),
  redirectUris: z.array(uri).max(50).meta({ description: 'Where codes may be sent (exact match).' }),
  postLogoutRedirectUris: z.array(uri).max(50).meta({ description: 'Where RP-initiated logout may return to.' }),
  grantTypes: z.array(z.enum(CLIENT_GRANT_TYPES)).max(CLIENT_GRANT_TYPES.length).meta({ description: 'Default authorization_code and refresh_token.' }),
  scopes: z.string().max(4000).meta({ description: 'OpenID scopes and the API scopes of its resources, space-separated.' }),
  isPublic: z.boolean().meta({ description: 'No secret (SPAs, native apps); PKCE is then always required.' }),
  pkceOptional: z.boolean().meta({ description: 'A confidential client may omit PKCE.' }),
  resources: z.array(uri).max(50).meta({ description: 'The APIs it may get JWT access tokens for; the first is its client-credentials default.' }),
  idTokenAlg: clearable(z.string().max(20)).meta({ description: 'How its id_tokens are signed (default RS256); null clears it.' }),
  authMethod: clearable(z.string().max(40)).meta({ description: 'client_secret_basic (default), client_secret_post or private_key_jwt; a public client is isPublic.' }),
  jwksUri: clearable(uri).meta({ description: 'private_key_jwt: where the client publishes its public keys; null clears it.' }),
  jwks: clearable(z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }))
    .meta({ description: 'private_key_jwt: the client\'s public keys themselves (a JWK Set); null clears it.' }),
  requirePar: z.boolean().meta({ description: 'Authorization requests only as pushed authorization requests (RFC 9126).' }),
  dpopBound: z.boolean().meta({ description: 'Tokens bound to the client\'s DPoP key (RFC 9449).' }),
  backchannelLogoutUri: clearable(uri).meta({ description: 'Where logout tokens are POSTed when a user\'s session ends (OIDC Back-Channel Logout); null clears it.' }),
  backchannelLogoutSessionRequired: z.boolean().meta({ description: 'Logout tokens carry `sid`.' }),
  requireMfa: z.boolean().meta({ description: 'Every sign-in to this client proves a second factor or uses a passkey.' }),
  profile: clearable(z.enum(CLIENT_PROFILES)).meta({
    description: 'fapi2: the FAPI 2.0 Security Profile (private_key_jwt; turns on requirePar and dpopBound); null clears it.',
  }),
  logoUri: clearable(uri),
  clientUri: clearable(uri),
  policyUri: clearable(uri),
  tosUri: clearable(uri),
  upstreams: z.array(upstreamIdSchema).max(20).meta({ description: 'The upstream identity providers its login page offers, by id; every enabled one when empty.' }),
  noLocalLogin: z.boolean().meta({ description: 'Its people sign in only through one of its upstreams (needs upstreams).' }),
} satisfies Record<keyof ClientSettings, z.ZodType>;

// Fails to compile when ClientSettings gains a setting the admin API does not take yet.
const everySettingTaken: Exclude<keyof ClientSettings, keyof typeof settingsShape> extends never ? true : never = true;
void everySettingTaken;

export const newClientSchema = z.strictObject(settingsShape).partial().required({ name: true }).meta({ id: 'NewClient' });
export const clientChangesSchema = z.strictObject(settingsShape).partial().meta({ id: 'ClientChanges', description: 'Only the settings given change; lists are replaced.' });

/** The request's settings as ClientSettings takes them: null becomes "not set". */
export function toClientSettings<T extends Record<string, unknown>>(body: T): Partial<ClientSettings> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, value ?? undefined])) as Partial<ClientSettings>;
}

const optionalText = z.string().optional();

export const clientSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  scopes: z.string(),
  isPublic: z.boolean(),
  pkceOptional: z.boolean(),
  resources: z.array(z.string()),
  idTokenAlg: optionalText,
  authMethod: optionalText,
  jwksUri: optionalText,
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  requirePar: z.boolean().optional(),
  dpopBound: z.boolean().optional(),
  requireMfa: z.boolean().optional(),
  backchannelLogoutUri: optionalText,
  backchannelLogoutSessionRequired: z.boolean().optional(),
  profile: z.enum(CLIENT_PROFILES).optional(),
  logoUri: optionalText,
  clientUri: optionalText,
  policyUri: optionalText,
  tosUri: optionalText,
  upstreams: z.array(z.string()).optional(),
  noLocalLogin: z.boolean().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'Client' });

export const clientWithSecretSchema = clientSchema.extend({
  clientSecret: z.string().optional().meta({ description: 'Present only when a secret was just issued: shown this once, never again.' }),
}).meta({ id: 'ClientWithSecret' });

export const clientSecretSchema = z.object({
  clientId: z.string(),
  clientSecret: z.string().meta({ description: 'Shown this once; the old secret stopped working.' }),
}).meta({ id: 'ClientSecret' });

export const clientPageSchema = pageSchema(clientSchema, 'ClientPage');

export const clientPathSchema = z.object({ clientId: z.string().min(1).max(200) });

/** A client as the admin API shows it: its settings, never its secret or the secret's hash. */
export function clientView(client: Pick<ClientRecord, 'clientId' | 'metadata'> & { createdAt: Date; updatedAt: Date }): z.input<typeof clientSchema> {
  return { clientId: client.clientId, ...clientSettingsOf(client.metadata), createdAt: client.createdAt.toISOString(), updatedAt: client.updatedAt.toISOString() };
}

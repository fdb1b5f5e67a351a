import { z } from 'zod';
import { isLoopbackRelay } from '../mail/relay-encryption.ts';
import { PRESET_IDS } from './presets.ts';

/**
 * What an administrator may give for an upstream, as one schema: the admin API validates (and
 * documents) requests with it, and the CLI checks its options with it. Secrets (clientSecret,
 * bindPassword, privateKey) are write-only: they are sealed at once and never shown again.
 */
const ONE_LINE = /^[^\u0000-\u001f\u007f]*$/;

const text = (max: number) => z.string().trim().min(1).max(max).regex(ONE_LINE, { error: 'must be one line of text' });

/** https, or plain http only to loopback (a provider started on this machine, in development and tests). */
export function httpsUrlProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return `"${value}" is not a URL`;
  const url = new URL(value);
  if (url.hash || url.username || url.password) return `"${value}" must not carry a #fragment or credentials`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackRelay(url.hostname)) return undefined;
  return `"${value}" is not an https URL (plain http only to loopback: localhost, 127.0.0.1, [::1])`;
}

/** ldaps://, or ldap:// with StartTLS, or plain ldap:// only to loopback. */
export function ldapUrlProblem(value: string, startTls: boolean): string | undefined {
  if (!URL.canParse(value)) return `"${value}" is not a URL`;
  const url = new URL(value);
  if (url.username || url.password || url.hash || (url.pathname !== '' && url.pathname !== '/') || url.search) {
    return `"${value}" must be only ldaps://host[:port] or ldap://host[:port]`;
  }
  if (url.protocol === 'ldaps:') return undefined;
  if (url.protocol === 'ldap:' && (startTls || isLoopbackRelay(url.hostname))) return undefined;
  if (url.protocol === 'ldap:') return `"${value}" would send passwords in the clear: use ldaps://, or --start-tls (plain ldap:// only to loopback)`;
  return `"${value}" is not an ldaps:// or ldap:// URL`;
}

const httpsUrl = z.string().max(2000).superRefine((value, ctx) => {
  const problem = httpsUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** What operators and clients call an upstream (`--upstreams acme`): it also appears in URLs. */
export const upstreamIdSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
  error: (issue) => `"${String(issue.input)}" cannot be an upstream id: 1 to 40 lower-case letters, digits and inner hyphens`,
}).meta({ description: 'The upstream\'s id: lower-case letters, digits and hyphens.', example: 'acme' });

const domainSchema = z.string().trim().toLowerCase().regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/, {
  error: (issue) => `"${String(issue.input)}" is not an email domain (such as acme.com)`,
});

const claimName = z.string().min(1).max(200).regex(ONE_LINE, { error: 'a claim name is one line of text' });
const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: (issue) => `"${String(issue.input)}" is not a profile field or attribute name` });

export const groupRuleSchema = z.strictObject({
  claim: claimName,
  value: z.string().min(1).max(200).regex(ONE_LINE),
  group: z.string().min(1).max(100),
});

const SECRET = z.string().min(1).max(20_000);

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export const UPSTREAM_TYPES = ['oidc', 'oauth2', 'ldap'] as const;

export const upstreamSettingsSchema = z.strictObject({
  name: text(80).meta({ description: 'Shown on its login button.' }),
  enabled: z.boolean(),
  // OpenID Connect and OAuth 2.0
  issuer: httpsUrl.meta({ description: 'OIDC: the issuer, discovered from `/.well-known/openid-configuration`.' }),
  clientId: text(300).meta({ description: 'The client id Keyline is registered with at the upstream.' }),
  authMethod: z.enum(AUTH_METHODS).meta({ description: 'How Keyline authenticates to the upstream\'s token endpoint.' }),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).max(50).transform((scopes) => [...new Set(scopes)]),
  authorizationEndpoint: httpsUrl,
  tokenEndpoint: httpsUrl,
  userinfoEndpoint: httpsUrl,
  endSessionEndpoint: httpsUrl,
  tenant: z.string().regex(/^[A-Za-z0-9.-]{1,100}$/, { error: 'a tenant is a tenant id, a domain, or organizations/common/consumers' }),
  appleTeamId: z.string().regex(/^[A-Z0-9]{10}$/, { error: 'an Apple team id is 10 letters and digits' }),
  appleKeyId: z.string().regex(/^[A-Z0-9]{10}$/, { error: 'an Apple key id is 10 letters and digits' }),
  // LDAP / Active Directory
  url: z.string().max(2000),
  startTls: z.boolean(),
  bindDn: text(1000),
  userSearchBase: text(1000),
  userFilter: text(1000).refine((filter) => /\{(email|username)\}/.test(filter), { error: 'the user filter must contain {email} or {username}' }),
  groupSearchBase: text(1000),
  groupFilter: text(1000),
  emailVerified: z.boolean().meta({ description: 'LDAP: the directory vouches for its `mail` attribute (default false: it never links by email).' }),
  // Every type
  domains: z.array(domainSchema).max(100).transform((domains) => [...new Set(domains)].sort())
    .meta({ description: 'Email domains it claims: a person whose address is in one goes straight to it. Unique across upstreams.' }),
  provisioning: z.enum(['create', 'link-only', 'deny']),
  sync: z.enum(['always', 'first']),
  trustMfa: z.boolean(),
  upstreamLogout: z.boolean(),
  mapClaims: z.record(claimName, fieldName).refine((map) => Object.keys(map).length <= 50, { error: 'at most 50 claim mappings' })
    .meta({ description: 'Upstream claim (or LDAP attribute) -> profile field or custom attribute.' }),
  mapGroups: z.array(groupRuleSchema).max(100).meta({ description: 'A claim value that makes the person a member of a Keyline group.' }),
  // Write-only secrets
  clientSecret: SECRET.meta({ description: 'Write-only: sealed at rest, never returned.', writeOnly: true }),
  bindPassword: SECRET.meta({ description: 'Write-only: sealed at rest, never returned.', writeOnly: true }),
  privateKey: SECRET.meta({ description: 'Write-only (PEM): for private_key_jwt or Apple\'s client secret; sealed at rest, never returned.', writeOnly: true }),
});

export type UpstreamSettingsInput = z.output<typeof upstreamSettingsSchema>;

export const newUpstreamSchema = upstreamSettingsSchema.partial().extend({
  id: upstreamIdSchema,
  type: z.enum(UPSTREAM_TYPES).optional(),
  preset: z.enum(PRESET_IDS).optional(),
});

export type NewUpstreamInput = z.output<typeof newUpstreamSchema>;
export type UpstreamChangesInput = Partial<UpstreamSettingsInput>;

export const SECRET_NAMES = ['clientSecret', 'bindPassword', 'privateKey'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

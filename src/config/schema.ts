import { z } from 'zod';

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const seconds = z.number().int().positive();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const resourceSchema = z.strictObject({
  name: z.string().min(1).max(80).optional(),
  signingAlg: z.enum(SIGNING_ALGS).default('RS256'),
  accessTokenTtl: seconds.optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'each scope is one word without quotes or backslashes')).default([]),
});

const colour = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as #2457d6');
/** A file (relative to the project) Keyline serves itself, or an https:// URL the pages load directly. */
const assetSource = z.string().min(1).refine(
  (value) => !/^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('https://'),
  'must be a file path or an https:// URL',
);
const linkUrl = z.string().refine((value) => /^(https?:\/\/|mailto:)/.test(value) && URL.canParse(value), 'must be an http(s):// or mailto: URL');

export const DEFAULT_BRANDING = {
  productName: 'Keyline',
  primaryColor: '#2457d6',
  backgroundColor: '#eef1f6',
  links: {},
};

const brandingSchema = z.strictObject({
  productName: z.string().trim().min(1).max(60).default(DEFAULT_BRANDING.productName),
  logo: assetSource.optional(),
  favicon: assetSource.optional(),
  primaryColor: colour.default(DEFAULT_BRANDING.primaryColor),
  backgroundColor: colour.default(DEFAULT_BRANDING.backgroundColor),
  stylesheet: assetSource.optional(),
  links: z.strictObject({
    privacy: linkUrl.optional(),
    terms: linkUrl.optional(),
    support: linkUrl.optional(),
  }).default({}),
}).default(DEFAULT_BRANDING);

export const configSchema = z.strictObject({
  issuer: httpUrl.refine((value) => !value.endsWith('/'), 'must not end with a slash'),
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  proxy: z.boolean(),
  store: z.string().min(1, 'must name a SQLite file path or a mongodb:// URL'),
  sqlite: z.strictObject({
    synchronous: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL'),
  }).default({ synchronous: 'NORMAL' }),
  cookies: z.strictObject({
    keys: z.array(z.string().min(32, 'each cookie key needs at least 32 characters')).default([]),
  }).default({ keys: [] }),
  ttl: z.strictObject({
    accessToken: seconds.default(900),
    idToken: seconds.default(3600),
    authorizationCode: seconds.max(600).default(60),
    refreshToken: seconds.default(14 * 24 * 3600),
    interaction: seconds.default(600),
    sessionIdle: seconds.default(3600),
    sessionAbsolute: seconds.default(12 * 3600),
    grant: seconds.default(14 * 24 * 3600),
  }).default({
    accessToken: 900, idToken: 3600, authorizationCode: 60, refreshToken: 14 * 24 * 3600,
    interaction: 600, sessionIdle: 3600, sessionAbsolute: 12 * 3600, grant: 14 * 24 * 3600,
  }),
  resources: z.record(httpUrl, resourceSchema).default({}),
  login: z.strictObject({
    failureWindow: seconds.default(900),
    backoffAfterFailures: z.number().int().min(1).default(5),
    maxBackoff: seconds.default(60),
    lockAfterFailures: z.number().int().min(1).default(10),
    lockout: seconds.default(900),
    ipMaxFailures: z.number().int().min(1).default(100),
  }).default({
    failureWindow: 900, backoffAfterFailures: 5, maxBackoff: 60, lockAfterFailures: 10, lockout: 900, ipMaxFailures: 100,
  }),
  branding: brandingSchema,
  /** A folder of pug templates that replace Keyline's own, file by file. */
  views: z.string().min(1).optional(),
  i18n: z.strictObject({
    defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or de').default('en'),
  }).default({ defaultLocale: 'en' }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;
export type ResourceConfig = z.infer<typeof resourceSchema>;
export type BrandingConfig = z.infer<typeof brandingSchema>;
export type LoginThrottleConfig = Config['login'];

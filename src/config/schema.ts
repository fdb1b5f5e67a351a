import { z } from 'zod';
import { attributesSchema, claimsSchema } from './authorization-schema.ts';

/**
 * Every algorithm Keyline signs with has a key of its own. For an Ed25519 key, EdDSA is the name to
 * use: PyJWT, express-oauth2-jwt-bearer, go-oidc, golang-jwt and Authlib refuse the fully specified
 * name Ed25519 (RFC 9864), which Keyline uses only where a client or resource asks for it.
 */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const seconds = z.number().int().positive();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const resourceSchema = z.strictObject({
  name: z.string().min(1).max(80).optional(),
  signingAlg: z.enum(SIGNING_ALGS).default('RS256'),
  accessTokenTtl: seconds.optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'each scope is one word without quotes or backslashes')).default([]),
  /** Where the API publishes its RFC 9728 protected-resource metadata; discovery links to it. */
  metadataUri: httpUrl.optional(),
  /** Role-based access control: a token's scope is what was asked and what the subject's roles permit. */
  rbac: z.boolean().default(false),
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
  theme: 'auto' as const,
  links: {},
};

const brandingSchema = z.strictObject({
  productName: z.string().trim().min(1).max(60).default(DEFAULT_BRANDING.productName),
  logo: assetSource.optional(),
  favicon: assetSource.optional(),
  primaryColor: colour.default(DEFAULT_BRANDING.primaryColor),
  backgroundColor: colour.default(DEFAULT_BRANDING.backgroundColor),
  /** auto follows the browser's prefers-color-scheme; light or dark pins the pages to one. */
  theme: z.enum(['auto', 'light', 'dark']).default('auto'),
  /** The dark variants; each is derived from its light one when absent (see src/pages/branding.ts). */
  logoDark: assetSource.optional(),
  primaryColorDark: colour.optional(),
  backgroundColorDark: colour.optional(),
  stylesheet: assetSource.optional(),
  links: z.strictObject({
    privacy: linkUrl.optional(),
    terms: linkUrl.optional(),
    support: linkUrl.optional(),
  }).default({}),
}).default(DEFAULT_BRANDING);

const WORKERS_MESSAGE = 'must be a positive whole number or "auto" (one worker per CPU)';

export const configSchema = z.strictObject({
  issuer: httpUrl.refine((value) => !value.endsWith('/'), 'must not end with a slash'),
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  proxy: z.boolean(),
  /**
   * With `proxy: true`: how many proxies in front of Keyline append to X-Forwarded-For. The client
   * is the entry this many from the right; entries further left are whatever the client wrote.
   */
  trustedProxyHops: z.number().int().min(1).max(10).default(1),
  /** Processes serving the one port (node:cluster): a whole number, or "auto" for one per CPU. */
  workers: z.union([z.literal('auto'), z.number().int({ error: WORKERS_MESSAGE }).positive({ error: WORKERS_MESSAGE })], { error: WORKERS_MESSAGE }).default(1),
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
    refreshTokenReuseInterval: z.number().int().min(0).max(300).default(60),
    /** How long an email-verification link works. */
    verificationLink: seconds.default(24 * 3600),
    /** How long a password-reset link works. */
    resetLink: seconds.max(24 * 3600).default(1800),
  }).default({
    accessToken: 900, idToken: 3600, authorizationCode: 60, refreshToken: 14 * 24 * 3600,
    interaction: 600, sessionIdle: 3600, sessionAbsolute: 12 * 3600, grant: 14 * 24 * 3600, refreshTokenReuseInterval: 60,
    verificationLink: 24 * 3600, resetLink: 1800,
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
  registration: z.strictObject({
    /** "Create account" on the login page (needs mail, for the verification link). */
    enabled: z.boolean().default(false),
    /** Sign-up only for addresses in these domains (empty: any). */
    allowedDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'each domain is a host name such as example.com').transform((domain) => domain.toLowerCase())).default([]),
    /** Accounts may sign in before their address is verified. */
    allowUnverifiedLogin: z.boolean().default(false),
    /** RFC 7591/7592 dynamic client registration at /reg, with initial access tokens from the CLI. */
    dynamic: z.boolean().default(false),
    dynamicClients: z.strictObject({
      grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).min(1).default(['authorization_code', 'refresh_token']),
      scopes: z.array(z.string().min(1)).min(1).default(['openid', 'profile', 'email', 'offline_access']),
    }).default({ grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'email', 'offline_access'] }),
  }).default({
    enabled: false,
    allowedDomains: [],
    allowUnverifiedLogin: false,
    dynamic: false,
    dynamicClients: { grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'email', 'offline_access'] },
  }),
  mail: z.strictObject({
    /** smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465. Unset: no mail. */
    smtp: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL').refine(URL.canParse, 'must be an smtp:// or smtps:// URL').optional(),
    /** The sender, "Name <address>" or an address; by default the product name at no-reply@ the issuer's host. */
    from: z.string().min(3).optional(),
    /**
     * Refuse to send over a connection that is not encrypted (smtp:// without STARTTLS). Unset:
     * required, except to a relay on loopback. false: the operator's deliberate choice for a relay
     * whose path they trust (a development mail catcher).
     */
    requireTls: z.boolean().optional(),
  }).default({}),
  mfa: z.strictObject({
    /** Every sign-in needs a second factor or a passkey. */
    required: z.boolean().default(false),
  }).default({ required: false }),
  outbound: z.strictObject({
    /** Let Keyline call clients on loopback and private addresses (development and tests only). */
    allowPrivateNetworks: z.boolean().default(false),
  }).default({ allowPrivateNetworks: false }),
  /** The device authorization grant (RFC 8628): TVs, consoles and CLIs that sign in on another device. */
  device: z.strictObject({
    /** Seconds a device code and its user code stay valid (`expires_in`). */
    codeTtl: seconds.max(3600).default(600),
    /** Seconds a device waits between polls (`interval`); a faster poll of a pending code gets slow_down. */
    pollInterval: seconds.max(60).default(5),
    /** Wrong user codes one IP may enter per `userCodeWindow` before it must wait. */
    userCodeAttempts: z.number().int().min(1).default(10),
    userCodeWindow: seconds.default(900),
  }).default({ codeTtl: 600, pollInterval: 5, userCodeAttempts: 10, userCodeWindow: 900 }),
  branding: brandingSchema,
  /** A folder of pug templates that replace Keyline's own, file by file. */
  views: z.string().min(1).optional(),
  i18n: z.strictObject({
    defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or de').default('en'),
  }).default({ defaultLocale: 'en' }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFormat: z.enum(['json', 'pretty']).optional(),
  keys: z.strictObject({
    prePublish: seconds.default(7 * 24 * 3600),
    rotateEvery: seconds.default(90 * 24 * 3600),
    retireMargin: seconds.default(24 * 3600),
    checkInterval: seconds.default(30),
  }).default({ prePublish: 7 * 24 * 3600, rotateEvery: 90 * 24 * 3600, retireMargin: 24 * 3600, checkInterval: 30 })
    .refine((keys) => keys.prePublish < keys.rotateEvery, { message: 'keys.prePublish must be shorter than keys.rotateEvery', path: ['prePublish'] }),
  secrets: z.strictObject({
    keys: z.array(z.string().min(32, 'each secrets key needs at least 32 characters')).default([]),
    devKeyFile: z.string().min(1).optional(),
  }).default({ keys: [] }),
  audit: z.strictObject({
    retentionDays: z.number().int().min(0).default(0),
    sealInterval: z.number().positive().default(1),
    checkpointEvery: seconds.default(300),
  }).default({ retentionDays: 0, sealInterval: 1, checkpointEvery: 300 }),
  /** The outbox: deliveries (back-channel logout, shared signals, mail) every node works from the store. */
  jobs: z.strictObject({
    /** Seconds between a node's looks for due jobs (a job enqueued on the same node starts at once). */
    pollInterval: z.number().positive().default(1),
    /** Seconds a claimed job is a node's; after that another node takes it over (the first is presumed dead). */
    lease: seconds.default(60),
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Attempts before a job is given up (kept as dead, `keyline jobs list --failed`). */
    maxAttempts: z.number().int().min(1).max(100).default(12),
    /** The first retry waits this many seconds, each next one twice as long, up to retryMax. */
    retryBase: z.number().positive().default(5),
    retryMax: z.number().positive().default(3600),
    /** How long finished jobs are kept (their dedupe keys with them), and dead ones. */
    keepDone: seconds.default(24 * 3600),
    keepDead: seconds.default(30 * 24 * 3600),
  }).default({
    pollInterval: 1, lease: 60, concurrency: 8, maxAttempts: 12, retryBase: 5, retryMax: 3600, keepDone: 24 * 3600, keepDead: 30 * 24 * 3600,
  }),
  /** The operator's custom user attributes (issue 20), declared once; values are checked against these. */
  attributes: attributesSchema,
  /** Scopes of the operator's own, each releasing claims taken from attributes, groups or roles. */
  claims: claimsSchema,
  account: z.strictObject({
    selfDelete: z.boolean().default(false).describe(
      'Offer "Delete my account" in the account area. Deleting needs a sign-in of the last 10 minutes and removes the account as an '
      + 'administrator\'s removal does: every session ends, apps are told (back-channel logout, shared signals), nothing is kept under its id.',
    ),
  }).default({ selfDelete: false }).describe('The account area at /account, where people manage their own account.'),
  /** The shared-signals (SSF 1.0) transmitter. */
  signals: z.strictObject({
    enabled: z.boolean().default(true),
    /** Whether a new stream carries events about every subject (ALL) or only the ones its receiver adds (NONE). */
    defaultSubjects: z.enum(['ALL', 'NONE']).default('ALL'),
    /** Seconds a poll that asks to wait may be held open for SETs to arrive; 0 answers at once. */
    longPollSeconds: z.number().int().min(0).max(60).default(10),
    maxStreamsPerReceiver: z.number().int().min(1).max(100).default(5),
  }).default({ enabled: true, defaultSubjects: 'ALL', longPollSeconds: 10, maxStreamsPerReceiver: 5 }),
  /**
   * /metrics names routes, counts sign-ins and failures and shows the process's resources: never
   * for anyone on the public port. It is served on `port` (bound to `host`, loopback unless the
   * operator says otherwise) and/or, with `token`, behind a bearer token; with neither, not at all.
   */
  metrics: z.strictObject({
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    token: z.string().min(16, 'the metrics token needs at least 16 characters').optional(),
  }).default({ host: '127.0.0.1' }),
});

export type Config = z.infer<typeof configSchema>;
export type ResourceConfig = z.infer<typeof resourceSchema>;
export type BrandingConfig = z.infer<typeof brandingSchema>;
export type LoginThrottleConfig = Config['login'];
export type KeysConfig = Config['keys'];
export type DeviceFlowConfig = Config['device'];
export type JobsConfig = Config['jobs'];
export type SignalsConfig = Config['signals'];
export type { AttributeDeclaration, AuthorizationDeclarations, ClaimSource, ClaimScopes } from './authorization-schema.ts';

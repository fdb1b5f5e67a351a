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
  name: z.string().min(1).max(80).optional().describe('The API\'s name, as the consent page and the CLI show it.'),
  signingAlg: z.enum(SIGNING_ALGS).default('RS256').describe('How its access tokens are signed. For an Ed25519 key use `EdDSA`; `Ed25519` only for an API whose library asks for that name.'),
  accessTokenTtl: seconds.optional().describe('Seconds its access tokens live; `ttl.accessToken` when unset.'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'each scope is one word without quotes or backslashes')).default([]).describe('The scopes the API defines, which clients may be given.'),
  metadataUri: httpUrl.optional().describe('Where the API publishes its RFC 9728 protected-resource metadata; discovery then lists the API.'),
  rbac: z.boolean().default(false).describe('Role-based access control: a token\'s scope is what was asked and what the subject\'s roles permit, with `roles` and `permissions` claims.'),
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
  productName: z.string().trim().min(1).max(60).default(DEFAULT_BRANDING.productName).describe('The name the pages use in titles and texts.'),
  logo: assetSource.optional().describe('A file (relative to the project) that Keyline serves, or an `https://` URL, which the pages\' CSP then allows for images. Default: Keyline\'s mark.'),
  favicon: assetSource.optional().describe('A file or an `https://` URL, as the logo. Default: Keyline\'s mark.'),
  primaryColor: colour.default(DEFAULT_BRANDING.primaryColor).describe('Buttons, links and focus rings; button text turns dark or light for contrast, and links fall back to the text colour when the brand colour is unreadable on white.'),
  backgroundColor: colour.default(DEFAULT_BRANDING.backgroundColor).describe('Behind the card.'),
  theme: z.enum(['auto', 'light', 'dark']).default('auto').describe('`auto` follows the browser\'s light or dark preference (`prefers-color-scheme`); `light` or `dark` pins every page to one.'),
  logoDark: assetSource.optional().describe('The logo on dark pages (a file or an `https://` URL); without it the one logo serves both.'),
  primaryColorDark: colour.optional().describe('The brand colour on dark pages; by default the primary colour lightened until it reads on the dark card. Checked for contrast as the light one is.'),
  backgroundColorDark: colour.optional().describe('Behind the card on dark pages; by default the background\'s hue, nearly black.'),
  stylesheet: assetSource.optional().describe('An extra CSS file (or `https://` URL, then allowed by the CSP) loaded after Keyline\'s own.'),
  links: z.strictObject({
    privacy: linkUrl.optional().describe('A privacy-policy link in every page\'s footer (`http(s)://` or `mailto:`).'),
    terms: linkUrl.optional().describe('A terms-of-service link in every page\'s footer.'),
    support: linkUrl.optional().describe('A support link in every page\'s footer and on error pages.'),
  }).default({}).describe('Links in every page\'s footer (`http(s)://` or `mailto:`).'),
}).default(DEFAULT_BRANDING).describe('How every page looks: name, logo, colours, footer links and an extra stylesheet.');

const WORKERS_MESSAGE = 'must be a positive whole number or "auto" (one worker per CPU)';

export const configSchema = z.strictObject({
  issuer: httpUrl.refine((value) => !value.endsWith('/'), 'must not end with a slash').describe('The issuer URL in tokens and discovery, without a trailing slash. Unset, it is `http://localhost:<port>` and follows the port. Set it in production.'),
  port: z.number().int().min(0).max(65535).describe('The TCP port.'),
  host: z.string().min(1).describe('The interface to listen on.'),
  proxy: z.boolean().describe('`true` behind a TLS-terminating proxy: the client\'s address comes from `X-Forwarded-For` (see `trustedProxyHops`). Never set it when clients can reach Keyline directly.'),
  trustedProxyHops: z.number().int().min(1).max(10).default(1).describe('With `proxy: true`, how many proxies in front of Keyline append to `X-Forwarded-For`: the client is the entry this many from the right (entries further left are what the client wrote, and are ignored). Set without `proxy: true`, Keyline refuses to start.'),
  workers: z.union([z.literal('auto'), z.number().int({ error: WORKERS_MESSAGE }).positive({ error: WORKERS_MESSAGE })], { error: WORKERS_MESSAGE }).default(1).describe('Processes serving the one port (node:cluster): a positive whole number, or `auto` for one per CPU. `1` is a single process; more runs a supervisor that forks them, replaces one that exits and drains them all on SIGTERM.'),
  store: z.string().min(1, 'must name a SQLite file path or a mongodb:// URL').describe('A SQLite file path, or a `mongodb://` / `mongodb+srv://` URL. A relative path is inside the project folder, wherever a command runs from. The start log and `keyline doctor` print it.'),
  sqlite: z.strictObject({
    synchronous: z.enum(['OFF', 'NORMAL', 'FULL', 'EXTRA']).default('NORMAL').describe('SQLite durability: `NORMAL` is safe with WAL; `FULL` survives host power loss.'),
  }).default({ synchronous: 'NORMAL' }).describe('The SQLite store.'),
  cookies: z.strictObject({
    keys: z.array(z.string().min(32, 'each cookie key needs at least 32 characters')).default([]).describe('Keys that sign cookies, newest first (comma-separated in the environment), 32+ characters each. Rotate by putting a new key first; old keys still verify. When none are given, Keyline generates one, keeps it in the store (shared by every node) and logs that once.'),
  }).default({ keys: [] }).describe('Cookie signing.'),
  ttl: z.strictObject({
    accessToken: seconds.default(900).describe('Seconds JWT access tokens for APIs live.'),
    idToken: seconds.default(3600).describe('Seconds id_tokens live.'),
    authorizationCode: seconds.max(600).default(60).describe('Seconds an authorization code may be redeemed in.'),
    refreshToken: seconds.default(14 * 24 * 3600).describe('Seconds a refresh token lives (14 days); it is rotated on every use.'),
    interaction: seconds.default(600).describe('Seconds a login or consent page stays valid.'),
    sessionIdle: seconds.default(3600).describe('Seconds a session may go unused before it ends ("Keep me signed in" extends it to 7 days).'),
    sessionAbsolute: seconds.default(12 * 3600).describe('Seconds no session outlives, however active ("Keep me signed in" extends it to 30 days).'),
    grant: seconds.default(14 * 24 * 3600).describe('Seconds a grant (what a person consented to give a client, and the tokens that hang off it) lives.'),
    refreshTokenReuseInterval: z.number().int().min(0).max(300).default(60).describe('Seconds after a rotation during which the rotated refresh token may be presented again while its successor is unused: the retry gets that same successor, never a new chain. `0`: any second presentation revokes the grant (FAPI 2.0 clients keep at least 60).'),
    verificationLink: seconds.default(24 * 3600).describe('Seconds an email-verification link works (once).'),
    resetLink: seconds.max(24 * 3600).default(1800).describe('Seconds a password-reset link works (once).'),
  }).default({
    accessToken: 900, idToken: 3600, authorizationCode: 60, refreshToken: 14 * 24 * 3600,
    interaction: 600, sessionIdle: 3600, sessionAbsolute: 12 * 3600, grant: 14 * 24 * 3600, refreshTokenReuseInterval: 60,
    verificationLink: 24 * 3600, resetLink: 1800,
  }).describe('Lifetimes, in seconds.'),
  resources: z.record(httpUrl, resourceSchema).default({}).describe('APIs that receive JWT access tokens, by resource indicator. Usually added with `keyline resources add` instead, without a restart; APIs in the config work the same and cannot be changed from the CLI.'),
  login: z.strictObject({
    failureWindow: seconds.default(900).describe('Seconds a failed sign-in attempt is remembered.'),
    backoffAfterFailures: z.number().int().min(1).default(5).describe('Failures for one account **from any IPs** before each further attempt must wait a doubling delay (1 s, 2 s, 4 s, ...).'),
    maxBackoff: seconds.default(60).describe('The cap of that delay, in seconds (the account slows down; it is never locked).'),
    lockAfterFailures: z.number().int().min(1).default(10).describe('Failures for one account **from one IP** before that IP is locked out of that account (the next attempt is refused and locks).'),
    lockout: seconds.default(900).describe('Seconds that lock lasts.'),
    ipMaxFailures: z.number().int().min(1).default(100).describe('Failures **from one IP across accounts** before the IP is refused for the rest of the window; successes give their attempt back.'),
  }).default({
    failureWindow: 900, backoffAfterFailures: 5, maxBackoff: 60, lockAfterFailures: 10, lockout: 900, ipMaxFailures: 100,
  }).describe('Sign-in throttling, for passwords and second-factor codes alike (see the security model).'),
  registration: z.strictObject({
    enabled: z.boolean().default(false).describe('"Create account" on the login page; needs `mail.smtp` (the start refuses it otherwise).'),
    allowedDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'each domain is a host name such as example.com').transform((domain) => domain.toLowerCase())).default([]).describe('Sign-up only for addresses in these domains (empty: any).'),
    allowUnverifiedLogin: z.boolean().default(false).describe('Accounts that signed themselves up may sign in before they confirm their address.'),
    dynamic: z.boolean().default(false).describe('Open dynamic client registration (RFC 7591/7592) at `/reg`, behind initial access tokens from the CLI or the admin API.'),
    dynamicClients: z.strictObject({
      grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).min(1).default(['authorization_code', 'refresh_token']).describe('The grant types a registered client may ask for (`client_credentials` too, if you allow it).'),
      scopes: z.array(z.string().min(1)).min(1).default(['openid', 'profile', 'email', 'offline_access']).describe('The scopes a registered client may ask for (and gets when it asks for none).'),
    }).default({ grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'email', 'offline_access'] }).describe('What dynamically registered clients may have.'),
  }).default({
    enabled: false,
    allowedDomains: [],
    allowUnverifiedLogin: false,
    dynamic: false,
    dynamicClients: { grantTypes: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'email', 'offline_access'] },
  }).describe('Sign-up, and dynamic client registration.'),
  mail: z.strictObject({
    smtp: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL').refine(URL.canParse, 'must be an smtp:// or smtps:// URL').optional().describe('`smtp://user:pass@host:587` (STARTTLS) or `smtps://user:pass@host:465`. Unset: no mail, and password reset by mail, email verification and sign-up are off.'),
    from: z.string().min(3).optional().describe('The sender, `Name <address>` or an address. Default: the product name at `no-reply@<issuer host>`.'),
    requireTls: z.boolean().optional().describe('Unset or `true`: refuse to send over `smtp://` when the server offers no STARTTLS (unset allows a relay on loopback; `true` refuses even there). `false`: send in the clear, only for a relay whose path you trust (a development mail catcher).'),
  }).default({}).describe('Outgoing mail (verification, password reset, sign-up notices), sent from the outbox.'),
  mfa: z.strictObject({
    required: z.boolean().default(false).describe('Every sign-in needs a second factor (or a passkey); people without one set one up on the way in. Per client instead: `keyline clients update <id> --mfa required`.'),
  }).default({ required: false }).describe('Multi-factor authentication.'),
  outbound: z.strictObject({
    allowPrivateNetworks: z.boolean().default(false).describe('Let Keyline call loopback and private addresses, and plain-http `jwks_uri`s (development and tests only).'),
  }).default({ allowPrivateNetworks: false }).describe('Keyline\'s one guarded outbound fetch (client key sets, back-channel logout, push signals).'),
  device: z.strictObject({
    codeTtl: seconds.max(3600).default(600).describe('Seconds a device code and its user code stay valid (`expires_in`).'),
    pollInterval: seconds.max(60).default(5).describe('Seconds a device waits between polls (`interval`); a faster poll of a pending code gets `slow_down`.'),
    userCodeAttempts: z.number().int().min(1).default(10).describe('Wrong user codes one IP may enter per `userCodeWindow` before it must wait.'),
    userCodeWindow: seconds.default(900).describe('Seconds over which wrong user codes are counted.'),
  }).default({ codeTtl: 600, pollInterval: 5, userCodeAttempts: 10, userCodeWindow: 900 }).describe('The device authorization grant (RFC 8628): TVs, consoles and CLIs that sign in on another device.'),
  branding: brandingSchema,
  views: z.string().min(1).optional().describe('A folder of pug templates that replace Keyline\'s own by file name (see the themes guide).'),
  i18n: z.strictObject({
    defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or de').default('en').describe('The page language when neither `ui_locales`, the language picker\'s choice nor `Accept-Language` names one Keyline has.'),
    overridesDirectory: z.string().min(1).optional()
      .describe('A folder of `<locale>.json` files (e.g. `en.json`, `pt-BR.json`) whose messages replace the shipped ones, nested or as dotted keys; checked like `messages`, which wins for the same key. Relative to the project.'),
  }).default({ defaultLocale: 'en' }).describe('Languages.'),
  messages: z.record(
    z.string().describe('A shipped locale: en, de, fr, es, it, pt-BR, ja or ar.'),
    z.record(z.string().describe('A message key, e.g. login.title'), z.string().max(2000)),
  ).optional()
    .describe('Copy overrides per locale, e.g. `{ en: { "login.title": "Welcome back" } }`. An unknown locale or key, or a message that drops one of its `{{placeholders}}` or uses one it never gets, stops the start naming it; `{{product}}` may be used anywhere.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('The least severe level logged.'),
  logFormat: z.enum(['json', 'pretty']).optional().describe('`json`, or `pretty` (pino-pretty, for people). Default: pretty on a terminal outside production, else JSON.'),
  keys: z.strictObject({
    prePublish: seconds.default(7 * 24 * 3600).describe('Seconds a new signing key is in the JWKS before it signs (7 days).'),
    rotateEvery: seconds.default(90 * 24 * 3600).describe('Seconds a key signs before the next one takes over (90 days).'),
    retireMargin: seconds.default(24 * 3600).describe('A superseded key stays published for the longest token lifetime plus this many seconds.'),
    checkInterval: seconds.default(30).describe('Seconds between each node\'s look at the key set in the store.'),
  }).default({ prePublish: 7 * 24 * 3600, rotateEvery: 90 * 24 * 3600, retireMargin: 24 * 3600, checkInterval: 30 })
    .refine((keys) => keys.prePublish < keys.rotateEvery, { message: 'keys.prePublish must be shorter than keys.rotateEvery', path: ['prePublish'] }).describe('Signing keys, which rotate by themselves.'),
  secrets: z.strictObject({
    keys: z.array(z.string().min(32, 'each secrets key needs at least 32 characters')).default([]).describe('Keys (32+ characters each, newest first, comma-separated in the environment) that encrypt the secrets Keyline stores: private signing keys, generated cookie keys, TOTP seeds. Generated in development; required in production.'),
    devKeyFile: z.string().min(1).optional().describe('Where development keeps the key it generated (never in the store). Default: `~/.config/keyline/secrets.key`.'),
  }).default({ keys: [] }).describe('Encryption of secrets at rest.'),
  audit: z.strictObject({
    retentionDays: z.number().int().min(0).default(0).describe('Audit events older than this many days are pruned (`0`: kept forever); the chain still verifies.'),
    sealInterval: z.number().positive().default(1).describe('Seconds between sealing rounds (linking new events into the hash chain).'),
    checkpointEvery: seconds.default(300).describe('Seconds between signed checkpoints of the chain head.'),
  }).default({ retentionDays: 0, sealInterval: 1, checkpointEvery: 300 }).describe('The tamper-evident audit trail.'),
  jobs: z.strictObject({
    pollInterval: z.number().positive().default(1).describe('Seconds between a node\'s looks for due jobs (a job enqueued on the same node starts at once).'),
    lease: seconds.default(60).describe('Seconds a claimed job is a node\'s; after that another node takes it over.'),
    concurrency: z.number().int().min(1).max(64).default(8).describe('Jobs one node works at once.'),
    maxAttempts: z.number().int().min(1).max(100).default(12).describe('Attempts before a job is given up and kept as dead (`keyline jobs list --failed`).'),
    retryBase: z.number().positive().default(5).describe('Seconds before the first retry; each next one waits twice as long (±20 %), up to `retryMax`.'),
    retryMax: z.number().positive().default(3600).describe('The longest wait between retries, in seconds (12 attempts span about 2½ hours).'),
    keepDone: seconds.default(24 * 3600).describe('Seconds finished jobs are kept (their dedupe keys with them).'),
    keepDead: seconds.default(30 * 24 * 3600).describe('Seconds dead jobs are kept.'),
  }).default({
    pollInterval: 1, lease: 60, concurrency: 8, maxAttempts: 12, retryBase: 5, retryMax: 3600, keepDone: 24 * 3600, keepDead: 30 * 24 * 3600,
  }).describe('The outbox: deliveries (back-channel logout, shared signals, mail) every node works from the store.'),
  attributes: attributesSchema.describe('Custom user attributes, declared once; values are checked against these (see the authorization guide).'),
  claims: claimsSchema.describe('Scopes of your own, each mapping claim names to `attribute.<name>`, `groups` or `roles`. Refused at start when a source names an undeclared attribute, the scope is an OpenID or API scope, or a claim is a standard one.'),
  account: z.strictObject({
    selfDelete: z.boolean().default(false).describe(
      'Offer "Delete my account" in the account area. Deleting needs a sign-in of the last 10 minutes and removes the account as an '
      + 'administrator\'s removal does: every session ends, apps are told (back-channel logout, shared signals), nothing is kept under its id.',
    ),
    dataExportAuditEvents: z.number().int().min(1).max(100_000).default(10_000).describe(
      'The most audit events "Download my data" puts in the file, the newest ones; the file says when older ones were left out '
      + '(an operator hands those out with `keyline audit`). Bounds the memory and time one download takes.',
    ),
  }).default({ selfDelete: false, dataExportAuditEvents: 10_000 }).describe('The account area at /account, where people manage their own account.'),
  signals: z.strictObject({
    enabled: z.boolean().default(true).describe('The shared-signals transmitter: its endpoints and the `<issuer>/ssf` resource.'),
    defaultSubjects: z.enum(['ALL', 'NONE']).default('ALL').describe('`ALL`: streams get events about every user but those removed; `NONE`: only about users added.'),
    longPollSeconds: z.number().int().min(0).max(60).default(10).describe('Seconds a poll with `returnImmediately: false` may wait for a SET; `0` answers at once.'),
    maxStreamsPerReceiver: z.number().int().min(1).max(100).default(5).describe('Streams one receiver may have.'),
  }).default({ enabled: true, defaultSubjects: 'ALL', longPollSeconds: 10, maxStreamsPerReceiver: 5 }).describe('The Shared Signals Framework 1.0 transmitter.'),
  /**
   * /metrics names routes, counts sign-ins and failures and shows the process's resources: never
   * for anyone on the public port. It is served on `port` (bound to `host`, loopback unless the
   * operator says otherwise) and/or, with `token`, behind a bearer token; with neither, not at all.
   */
  metrics: z.strictObject({
    port: z.number().int().min(0).max(65535).optional().describe('Serve `/metrics` on this port of its own, bound to `metrics.host`. With `workers` above 1 the supervisor serves every worker\'s series summed here.'),
    host: z.string().min(1).default('127.0.0.1').describe('The address `metrics.port` listens on: loopback unless you bind it elsewhere (e.g. `0.0.0.0` in a container, behind a network policy or with a token).'),
    token: z.string().min(16, 'the metrics token needs at least 16 characters').optional().describe('Require `Authorization: Bearer <token>` on `/metrics`; without `metrics.port`, this is what puts `/metrics` on the main port.'),
  }).default({ host: '127.0.0.1' }).describe('Prometheus metrics: never served to anyone on the public port; off unless `port` or `token` is set.'),
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

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectPath } from '../paths.ts';
import { isMongoUrl } from '../store/store-location.ts';
import { claimsConfigProblems } from './authorization-schema.ts';
import { ConfigError } from './config-error.ts';
import { configSchema, type Config } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'config/keyline.yaml';

type Env = Record<string, string | undefined>;
type RawConfig = Record<string, unknown>;

/** Environment variables and the config key each one overrides. */
export const ENV_OVERRIDES: Array<[string, string, (value: string) => unknown]> = [
  ['KEYLINE_ISSUER', 'issuer', (value) => value],
  ['PORT', 'port', (value) => (/^\d+$/.test(value) ? Number(value) : value)],
  ['KEYLINE_HOST', 'host', (value) => value],
  ['KEYLINE_PROXY', 'proxy', parseBoolean],
  ['KEYLINE_TRUSTED_PROXY_HOPS', 'trustedProxyHops', (value) => (/^\d+$/.test(value) ? Number(value) : value)],
  ['KEYLINE_WORKERS', 'workers', (value) => (/^\d+$/.test(value) ? Number(value) : value)],
  ['KEYLINE_STORE', 'store', (value) => value],
  ['KEYLINE_COOKIE_KEYS', 'cookies.keys', (value) => value.split(',').map((key) => key.trim()).filter(Boolean)],
  ['KEYLINE_LOG_LEVEL', 'logLevel', (value) => value],
  ['KEYLINE_LOG_FORMAT', 'logFormat', (value) => value],
  ['KEYLINE_SECRETS_KEY', 'secrets.keys', (value) => value.split(',').map((key) => key.trim()).filter(Boolean)],
  ['KEYLINE_METRICS_PORT', 'metrics.port', (value) => (/^\d+$/.test(value) ? Number(value) : value)],
  ['KEYLINE_METRICS_HOST', 'metrics.host', (value) => value],
  ['KEYLINE_METRICS_TOKEN', 'metrics.token', (value) => value],
  ['KEYLINE_VIEWS', 'views', (value) => value],
  ['KEYLINE_DEFAULT_LOCALE', 'i18n.defaultLocale', (value) => value],
  ['KEYLINE_SMTP_URL', 'mail.smtp', (value) => value],
  ['KEYLINE_MAIL_FROM', 'mail.from', (value) => value],
  ['KEYLINE_MAIL_REQUIRE_TLS', 'mail.requireTls', parseBoolean],
];

function parseBoolean(value: string): unknown {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  return value;
}

function readConfigFile(path: string, explicit: boolean): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`KEYLINE_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`${path}: must be a YAML mapping of keys to values`]);
  }
  return parsed as RawConfig;
}

function setPath(target: RawConfig, dottedKey: string, value: unknown): void {
  const keys = dottedKey.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = (typeof child === 'object' && child !== null ? child : (node[key] = {})) as RawConfig;
  }
  node[keys[keys.length - 1]!] = value;
}

export const DEFAULTS: RawConfig = {
  issuer: 'http://localhost:3000',
  port: 3000,
  host: '0.0.0.0',
  proxy: false,
  store: './data/keyline.sqlite',
};

function envNameFor(key: string): string {
  return ENV_OVERRIDES.find(([, configKey]) => configKey === key)?.[0] ?? '';
}

/**
 * A relative SQLite path, views folder or message overrides folder means a place inside the project, wherever the command
 * runs from: otherwise `npx keyline doctor` in another folder would look at another store.
 */
function withProjectPaths(config: Config): Config {
  const store = isMongoUrl(config.store) || config.store === ':memory:' ? config.store : projectPath(config.store);
  const i18n = config.i18n.overridesDirectory ? { ...config.i18n, overridesDirectory: projectPath(config.i18n.overridesDirectory) } : config.i18n;
  return { ...config, store, i18n, ...(config.views ? { views: projectPath(config.views) } : {}) };
}

/** Validates a raw config object; every problem becomes one line naming the key. */
export function parseConfig(raw: RawConfig): Config {
  const merged = { ...DEFAULTS, ...raw };
  // Without an explicit issuer, the local one follows the port, so `PORT=4000 npm start` just works.
  const port = merged.port;
  if (raw.issuer === undefined && Number.isInteger(port) && (port as number) > 0 && (port as number) <= 65535) {
    merged.issuer = `http://localhost:${port}`;
  }
  const result = configSchema.safeParse(merged);
  if (result.success) {
    // The default (1) says nothing, so a config written out with its defaults loads again.
    if (result.data.trustedProxyHops !== 1 && !result.data.proxy) {
      throw new ConfigError(['trustedProxyHops (KEYLINE_TRUSTED_PROXY_HOPS): only means something behind a proxy: set proxy: true (KEYLINE_PROXY=true), or remove trustedProxyHops']);
    }
    if (result.data.registration.enabled && !result.data.mail.smtp) {
      throw new ConfigError(['registration.enabled: sign-up mails a verification link, so it needs mail: set mail.smtp (KEYLINE_SMTP_URL), or turn registration.enabled off']);
    }
    const claimsProblems = claimsConfigProblems(result.data);
    if (claimsProblems.length) throw new ConfigError(claimsProblems);
    return withProjectPaths(result.data);
  }
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(top level)';
    // A list item (secrets.keys.0) is named by its list's variable.
    const env = envNameFor(key.replace(/\.\d+$/, ''));
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` ${issue.keys.join(', ')}` : '';
    return `${key}${env ? ` (${env})` : ''}: ${issue.message}${unknownKeys}`;
  });
  throw new ConfigError(problems);
}

/**
 * Loads the config file (KEYLINE_CONFIG, relative to the working directory like any path typed in a
 * shell, or else the project's config/keyline.yaml), applies environment overrides, validates.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const explicitPath = env.KEYLINE_CONFIG;
  const path = explicitPath === undefined ? projectPath(DEFAULT_CONFIG_PATH) : resolve(cwd, explicitPath);
  const raw = readConfigFile(path, explicitPath !== undefined);
  for (const [name, key, convert] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, key, convert(value));
  }
  return parseConfig(raw);
}

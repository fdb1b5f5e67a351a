import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { SecretCipher } from './secret-cipher.ts';
import { SecretsKeyError } from './secrets-key-error.ts';

type Env = Record<string, string | undefined>;

export const HOW_TO_SET_SECRETS_KEY = 'set KEYLINE_SECRETS_KEY to 32+ random characters, e.g. KEYLINE_SECRETS_KEY=$(openssl rand -base64 32)';

/**
 * Outside the store it protects, so a copy of the database (a backup, a dump) does not carry the
 * key that opens its secrets: the user's config directory, shared by every development store of
 * that user.
 */
export function developmentKeyFile(config: Pick<Config, 'secrets'>, env: Env): string {
  if (config.secrets.devKeyFile) return config.secrets.devKeyFile;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'keyline', 'secrets.key');
}

export interface ResolvedCipher {
  cipher: SecretCipher;
  /** Set when a development key was generated just now: the one time Keyline says so. */
  generatedAt?: string;
}

/**
 * The key-encryption keys, newest first: from KEYLINE_SECRETS_KEY or `secrets.keys`. In production
 * (NODE_ENV=production) there is no fallback; in development one is generated once and kept in a
 * file of its own.
 */
export function resolveSecretCipher(config: Pick<Config, 'secrets'>, env: Env = process.env): ResolvedCipher {
  if (config.secrets.keys.length > 0) return { cipher: new SecretCipher(config.secrets.keys) };
  if (env.NODE_ENV === 'production') {
    throw new SecretsKeyError(`no secrets key configured: signing keys and other secrets are encrypted at rest in production; ${HOW_TO_SET_SECRETS_KEY}`);
  }
  const file = developmentKeyFile(config, env);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return { cipher: new SecretCipher([kept]) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecretsKeyError(`cannot read the development secrets key at ${file} (${(error as NodeJS.ErrnoException).code}); ${HOW_TO_SET_SECRETS_KEY}`);
    }
  }
  const generated = randomBytes(32).toString('base64url');
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': a concurrent first start of another process keeps its own file; we then read that one.
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { cipher: new SecretCipher([readFileSync(file, 'utf8').trim()]) };
    throw new SecretsKeyError(`cannot keep a development secrets key at ${file} (${(error as NodeJS.ErrnoException).code}); ${HOW_TO_SET_SECRETS_KEY}`);
  }
  return { cipher: new SecretCipher([generated]), generatedAt: file };
}

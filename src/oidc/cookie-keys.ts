import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { SealedSecrets } from '../keys/sealed-secrets.ts';
import type { Logger } from '../logger.ts';

const STORED_COOKIE_KEYS = 'cookie-keys';

/**
 * The keys that sign cookies: from config when given (newest first), else generated once and kept
 * (encrypted) in the store, so every node and every restart uses the same ones.
 */
export async function resolveCookieKeys(config: Config, secrets: SealedSecrets, logger: Logger): Promise<string[]> {
  if (config.cookies.keys.length > 0) return config.cookies.keys;
  const { value, created } = await secrets.getOrCreate(STORED_COOKIE_KEYS, () => JSON.stringify([randomBytes(32).toString('base64url')]));
  if (created) {
    logger.warn('no cookie keys configured: generated one and kept it in the store; set KEYLINE_COOKIE_KEYS to manage them yourself');
  }
  return JSON.parse(value) as string[];
}

/** A secret of Keyline's own, generated once and shared by every node through the store. */
export async function storedSecret(secrets: SealedSecrets, name: string): Promise<string> {
  return (await secrets.getOrCreate(name, () => randomBytes(32).toString('base64url'))).value;
}

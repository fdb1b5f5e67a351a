import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

const STORED_COOKIE_KEYS = 'cookie-keys';

/**
 * The keys that sign cookies: from config when given (newest first), else generated once and kept
 * in the store, so every node and every restart uses the same ones.
 */
export async function resolveCookieKeys(config: Config, store: Store, logger: Logger): Promise<string[]> {
  if (config.cookies.keys.length > 0) return config.cookies.keys;
  const existing = await store.secrets.get(STORED_COOKIE_KEYS);
  if (existing) return JSON.parse(existing) as string[];
  const generated = JSON.stringify([randomBytes(32).toString('base64url')]);
  const kept = await store.secrets.putIfAbsent(STORED_COOKIE_KEYS, generated);
  if (kept === generated) {
    logger.warn('no cookie keys configured: generated one and kept it in the store; set KEYLINE_COOKIE_KEYS to manage them yourself');
  }
  return JSON.parse(kept) as string[];
}

/** A secret of Keyline's own, generated once and shared by every node through the store. */
export async function storedSecret(store: Store, name: string): Promise<string> {
  return (await store.secrets.get(name)) ?? store.secrets.putIfAbsent(name, randomBytes(32).toString('base64url'));
}

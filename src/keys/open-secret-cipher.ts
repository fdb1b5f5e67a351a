import type { Config } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { resolveSecretCipher } from './secrets-key-source.ts';

/** The secrets cipher for a process, saying once (when it generates one) that a development key was made. */
export function openSecretCipher(config: Pick<Config, 'secrets'>, logger: Logger, env: Record<string, string | undefined> = process.env): SecretCipher {
  const { cipher, generatedAt } = resolveSecretCipher(config, env);
  if (generatedAt) {
    logger.warn({ file: generatedAt }, `no secrets key configured: generated a development key at ${generatedAt}; in production set KEYLINE_SECRETS_KEY`);
  }
  return cipher;
}

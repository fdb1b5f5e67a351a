import { readFileSync } from 'node:fs';
import type { ClientKeySet } from '../oidc/client-keys.ts';
import { CliError } from './cli-error.ts';

/**
 * `--jwks FILE`: a JWK Set (`{"keys": [...]}`) or a single JWK, which becomes a set of one. Only
 * reading and parsing happen here; what the keys must be is checked where every client setting is.
 */
export function readKeySet(file: string): ClientKeySet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--jwks: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`--jwks: ${file} is not JSON; it should hold a JWK Set ({"keys": [...]}) or one JWK`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`--jwks: ${file} should hold a JWK Set ({"keys": [...]}) or one JWK`);
  }
  return 'kty' in parsed ? { keys: [parsed as ClientKeySet['keys'][number]] } : parsed as ClientKeySet;
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientKey } from './client-keys.ts';
import { REDIRECT_URI } from './oidc-flow.ts';
import { runCli } from './run-cli.ts';
import type { RunningKeyline } from './start-keyline.ts';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client registered as an operator would (`clients add --profile fapi2`, private_key_jwt with `key`); its stored metadata. */
export async function addFapi2Client(kl: RunningKeyline, key: ClientKey, directory: string): Promise<Record<string, unknown>> {
  const jwksFile = join(directory, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
  const result = await runCli(kl, [
    'clients', 'add', '--name', 'Bank app', '--redirect-uri', REDIRECT_URI, '--auth-method', 'private_key_jwt', '--jwks', jwksFile,
    '--scopes', 'openid offline_access', '--profile', 'fapi2',
  ]);
  if (result.code !== 0) throw new Error(`clients add failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

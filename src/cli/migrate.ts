import { resealStoredSecrets } from '../keys/reseal-stored-secrets.ts';
import { migrateTokensAtRest } from '../oidc/tokens-at-rest.ts';
import { isMongoUrl } from '../store/open-store.ts';
import type { CliContext } from './cli-context.ts';
import { parseArguments } from './parse-arguments.ts';
import { adminAction } from './admin-action.ts';

export const MIGRATE_HELP = `keyline migrate

  Prepares the configured store. MongoDB: creates the collections' indexes (run it at deploy time,
  before starting Keyline). SQLite: the schema is brought up to date whenever the store opens.
  Both: encrypts signing keys and secrets stored in plaintext, and re-encrypts under the newest
  secrets key (the first in KEYLINE_SECRETS_KEY) what an older one encrypted; stores tokens,
  codes and initial access tokens issued before Keyline hashed them under their hash.`;

export async function migrateCommand(cli: CliContext, args: string[]): Promise<void> {
  parseArguments(args, {}, 'keyline migrate');
  if (isMongoUrl(cli.config.store)) {
    const { migrateMongo } = await import('../store/mongo/mongo-indexes.ts');
    const report = await migrateMongo(cli.config.store);
    for (const line of report.lines) cli.print(line);
  } else {
    await cli.store();
    cli.print(`SQLite store at ${cli.config.store} is up to date`);
  }
  const { signingKeys, secrets, streamHeaders, upstreamSecrets } = await adminAction(cli, { type: 'secrets.resealed', data: { underKey: cli.cipher.currentKeyId } },
    async () => resealStoredSecrets(await cli.store(), cli.cipher));
  cli.print(`secrets at rest under key ${cli.cipher.currentKeyId}: signing keys ${signingKeys.encrypted} encrypted, ${signingKeys.reencrypted} re-encrypted; `
    + `other secrets ${secrets.encrypted} encrypted, ${secrets.reencrypted} re-encrypted`
    + (streamHeaders.reencrypted ? `; signal receivers' authorization headers ${streamHeaders.reencrypted} re-encrypted` : '')
    + (upstreamSecrets.reencrypted ? `; upstream secrets ${upstreamSecrets.reencrypted} re-encrypted` : ''));
  const rehashed = await adminAction(cli, { type: 'tokens.hashed_at_rest' }, async () => migrateTokensAtRest((await cli.store()).oidc));
  cli.print(`tokens at rest: ${rehashed} stored under their value before now kept under their hash`);
}

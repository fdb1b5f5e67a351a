import { isMongoUrl } from '../store/open-store.ts';
import type { CliContext } from './cli-context.ts';
import { parseArguments } from './parse-arguments.ts';

export const MIGRATE_HELP = `keyline migrate

  Prepares the configured store. MongoDB: creates the collections' indexes (run it at deploy time,
  before starting Keyline). SQLite: the schema is brought up to date whenever the store opens.`;

export async function migrateCommand(cli: CliContext, args: string[]): Promise<void> {
  parseArguments(args, {}, 'keyline migrate');
  if (isMongoUrl(cli.config.store)) {
    const { migrateMongo } = await import('../store/mongo/mongo-indexes.ts');
    const report = await migrateMongo(cli.config.store);
    for (const line of report.lines) cli.print(line);
    return;
  }
  await cli.store();
  cli.print(`SQLite store at ${cli.config.store} is up to date`);
}

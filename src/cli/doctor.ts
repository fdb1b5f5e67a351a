import { existsSync } from 'node:fs';
import { describeStoreLocation, isMongoUrl } from '../store/store-location.ts';
import type { CliContext } from './cli-context.ts';
import { CliError } from './cli-error.ts';
import { parseArguments } from './parse-arguments.ts';

export const DOCTOR_HELP = `keyline doctor

  Checks the configuration, that the store exists and answers, that its indexes exist (MongoDB),
  and that signing keys, clients and users are in place. Exits non-zero when something must be fixed.
  It never creates a store: a SQLite file that is not there is a FAIL naming the path.`;

export async function doctorCommand(cli: CliContext, args: string[]): Promise<void> {
  parseArguments(args, {}, 'keyline doctor');
  const config = cli.config;
  cli.print(`ok    configuration: issuer ${config.issuer}`);
  cli.print(`note  store: ${describeStoreLocation(config.store)}`);
  if (!isMongoUrl(config.store) && !existsSync(config.store)) {
    cli.print(`FAIL  no SQLite store at ${config.store}: start Keyline once to create it, or point KEYLINE_STORE (or store: in the config) at the right file`);
    throw new CliError('1 problem(s) found');
  }
  const store = await cli.store();
  await store.ping();
  cli.print(`ok    store answers (${store.kind})`);
  const problems: string[] = [];
  if (store.kind === 'mongo') {
    const { checkMongoIndexes } = await import('../store/mongo/mongo-indexes.ts');
    const missing = await checkMongoIndexes(config.store);
    if (missing.length) problems.push(`MongoDB indexes missing (${missing.join(', ')}): run \`npx keyline migrate\``);
    else cli.print('ok    MongoDB indexes exist');
  }
  const keys = await store.signingKeys.list();
  cli.print(keys.length ? `ok    ${keys.length} signing keys (${keys.map((key) => key.alg).join(', ')})` : 'note  no signing keys yet: Keyline generates them at first start');
  cli.print(`note  ${(await store.clients.list()).length} clients, ${(await store.accounts.list()).length} users`);
  if (config.cookies.keys.length === 0) cli.print('note  cookie keys are generated and kept in the store; set KEYLINE_COOKIE_KEYS to manage and rotate them');
  if (config.issuer.startsWith('http://') && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(config.issuer)) {
    problems.push('the issuer is plain http on a non-local host: serve it over https (or behind a TLS proxy with proxy: true)');
  }
  for (const problem of problems) cli.print(`FAIL  ${problem}`);
  if (problems.length) throw new CliError(`${problems.length} problem(s) found`);
}

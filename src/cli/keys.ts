import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { parseArguments } from './parse-arguments.ts';

export const KEYS_HELP = `keyline keys <command>

  list [--json]   the signing keys published in the JWKS (kid, algorithm, creation time; never private parts)`;

export async function keysCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'list') throw new UsageError(action ? `unknown command "keys ${action}"; see keyline keys --help` : KEYS_HELP);
  const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline keys list [--json]');
  const keys = (await (await cli.store()).signingKeys.list()).map((key) => ({
    kid: key.kid, alg: key.alg, createdAt: key.createdAt.toISOString(),
  }));
  if (parsed.values.json) {
    cli.printJson(keys);
  } else if (keys.length === 0) {
    cli.print('no signing keys yet: they are generated when Keyline first starts');
  } else {
    for (const key of keys) cli.print(`${key.kid}\t${key.alg}\t${key.createdAt}`);
  }
}

import { createInterface } from 'node:readline';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';

/**
 * The one confirmation every destructive verb goes through: `--yes` confirms; otherwise a
 * terminal is asked, and without a terminal (a script, a pipe) the command refuses rather than guess.
 */
export async function confirmDestructive(cli: CliContext, yes: boolean, what: string): Promise<void> {
  if (yes) return;
  if (!cli.io.stdin.isTTY) throw new UsageError(`${what}: this cannot be undone; pass --yes to confirm (there is no terminal to ask on)`);
  cli.io.stderr.write(`${what}. This cannot be undone. Continue? [y/N] `);
  const rl = createInterface({ input: cli.io.stdin, output: cli.io.stderr, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  if (!/^(y|yes)$/i.test(answer.trim())) throw new CliError('cancelled; nothing was changed');
}

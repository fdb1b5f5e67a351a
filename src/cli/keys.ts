import { SIGNING_ALGS } from '../config/schema.ts';
import { signingKeyView } from '../keys/signing-key-view.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { confirmDestructive } from './confirm.ts';
import { adminAction } from './admin-action.ts';
import { listOption, parseArguments, requirePositional } from './parse-arguments.ts';

export const KEYS_HELP = `keyline keys <command>

  list [--json]                 the signing keys: kid, algorithm, status (pending, signing, superseded,
                                retired), when each starts signing and leaves the JWKS; never private parts
  rotate [--alg ALG...] [--now] [--yes]
                                start a rotation: a new key per algorithm, published now and signing after
                                keys.prePublish. --now signs with it at once and retires the old keys (for a
                                suspected compromise: tokens they signed stop verifying); asks to confirm
  retire <kid> [--yes]          take a pending or superseded key out of the JWKS now; asks to confirm
                                (a kid may start with "-": write \`keys retire --yes -- <kid>\`)

  Running servers pick up a change within keys.checkInterval seconds.`;

export async function keysCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline keys list [--json]');
      const manager = await cli.signingKeys();
      await manager.refresh({ maintain: false });
      const keys = manager.view.keys.map(signingKeyView);
      if (parsed.values.json) {
        cli.printJson(keys);
      } else if (keys.length === 0) {
        cli.print('no signing keys yet: they are generated when Keyline first starts');
      } else {
        for (const key of keys) cli.print(`${key.kid}\t${key.alg}\t${key.status}\tsigns from ${key.activatesAt}${key.unpublishAt ? `\tleaves the JWKS ${key.unpublishAt}` : ''}`);
      }
      return;
    }
    case 'rotate': {
      const usage = 'keyline keys rotate [--alg ALG...] [--now] [--yes]';
      const parsed = parseArguments(rest, { alg: { type: 'string', multiple: true }, now: { type: 'boolean' }, yes: { type: 'boolean' } }, usage);
      const immediately = parsed.values.now === true;
      const algorithms = listOption(parsed, 'alg');
      const unknown = algorithms.find((alg) => !(SIGNING_ALGS as readonly string[]).includes(alg));
      if (unknown) throw new UsageError(`--alg: "${unknown}" is not a signing algorithm Keyline uses (${SIGNING_ALGS.join(', ')})`);
      if (immediately) {
        await confirmDestructive(cli, parsed.values.yes === true, `rotating now retires the current ${algorithms.length ? algorithms.join(', ') : 'signing'} keys, and tokens they signed stop verifying`);
      }
      const manager = await cli.signingKeys();
      const rotated = await adminAction(cli, { type: 'keys.rotated', data: { algorithms: algorithms.length ? algorithms : 'all', immediately } },
        () => manager.rotate({ immediately, algorithms: algorithms.length ? algorithms : undefined }));
      for (const result of rotated) {
        cli.print(immediately
          ? `${result.alg}: ${result.kid} signs now; retired ${result.retired.length ? result.retired.join(', ') : 'nothing'}`
          : `${result.alg}: ${result.kid} is published now and signs from ${result.activatesAt.toISOString()}`);
      }
      return;
    }
    case 'retire': {
      const usage = 'keyline keys retire <kid> [--yes]';
      const parsed = parseArguments(rest, { yes: { type: 'boolean' } }, usage);
      const kid = requirePositional(parsed, 0, 'kid', usage);
      const manager = await cli.signingKeys();
      await manager.refresh({ maintain: false });
      if (!manager.view.keys.some((entry) => entry.key.kid === kid)) throw new UsageError(`no signing key with kid ${kid}; see keyline keys list`);
      await confirmDestructive(cli, parsed.values.yes === true, `retiring ${kid} removes it from the JWKS, and tokens it signed stop verifying`);
      const retired = await adminAction(cli, { type: 'key.retired', data: { kid } }, () => manager.retire(kid));
      cli.print(`retired ${retired.kid} (${retired.alg})`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "keys ${action}"; see keyline keys --help` : KEYS_HELP);
  }
}

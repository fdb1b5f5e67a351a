import { createInitialAccessToken } from '../oidc/dynamic-registration/initial-access-tokens.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { cliProvider } from './cli-provider.ts';
import { parseDuration } from './duration.ts';
import { parseArguments, stringOption } from './parse-arguments.ts';

export const REGISTRATION_HELP = `keyline registration <command>

  token create [--expires 7d] [--max-uses N]
      create an initial access token for dynamic client registration (RFC 7591) at /reg;
      it is printed once. It expires after --expires (e.g. 30d, 12h; default 7d) and, with
      --max-uses, registers at most N clients. Needs registration.dynamic: true in the config.`;

const USAGE = 'keyline registration token create [--expires 7d] [--max-uses N]';

export async function registrationCommand(cli: CliContext, args: string[]): Promise<void> {
  const [noun, action, ...rest] = args;
  if (noun !== 'token' || action !== 'create') {
    throw new UsageError(noun ? `unknown command "registration ${args.slice(0, 2).join(' ')}"; see keyline registration --help` : REGISTRATION_HELP);
  }
  const parsed = parseArguments(rest, { expires: { type: 'string' }, 'max-uses': { type: 'string' } }, USAGE);
  const expires = parseDuration(stringOption(parsed, 'expires') ?? '7d', '--expires');
  const maxUsesOption = stringOption(parsed, 'max-uses');
  const maxUses = maxUsesOption === undefined ? undefined : Number(maxUsesOption);
  if (maxUses !== undefined && !(Number.isInteger(maxUses) && maxUses > 0)) throw new UsageError('--max-uses takes a whole number above 0');

  const created = await createInitialAccessToken(await cliProvider(cli), expires, maxUses);
  cli.printJson({
    initial_access_token: created.token,
    expires_at: created.expiresAt.toISOString(),
    max_uses: maxUses ?? null,
    registration_endpoint: `${cli.config.issuer}/reg`,
  });
  if (!cli.config.registration.dynamic) {
    cli.io.stderr.write('keyline: note: registration.dynamic is false, so /reg is closed until you set it to true\n');
  }
}

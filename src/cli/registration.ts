import {
  createInitialAccessToken, listInitialAccessTokens, revokeInitialAccessToken,
} from '../oidc/dynamic-registration/initial-access-tokens.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { cliProvider } from './cli-provider.ts';
import { adminAction } from './admin-action.ts';
import { parseDuration } from './duration.ts';
import { parseArguments, requirePositional, stringOption } from './parse-arguments.ts';

export const REGISTRATION_HELP = `keyline registration <command>

  token create [--expires 7d] [--max-uses N]
      create an initial access token for dynamic client registration (RFC 7591) at /reg;
      it is printed once. It expires after --expires (e.g. 30d, 12h; default 7d) and, with
      --max-uses, registers at most N clients. Needs registration.dynamic: true in the config.
  token list
      the live initial access tokens as JSON: id, expiry, --max-uses and uses so far (never the
      token: the store keeps only its hash)
  token revoke <id|token>
      end an initial access token at once, by the id \`token list\` and \`token create\` show
      (or by the token itself); clients it registered stay`;

const CREATE_USAGE = 'keyline registration token create [--expires 7d] [--max-uses N]';
const REVOKE_USAGE = 'keyline registration token revoke <id|token>';

async function createToken(cli: CliContext, rest: string[]): Promise<void> {
  const parsed = parseArguments(rest, { expires: { type: 'string' }, 'max-uses': { type: 'string' } }, CREATE_USAGE);
  const expires = parseDuration(stringOption(parsed, 'expires') ?? '7d', '--expires');
  const maxUsesOption = stringOption(parsed, 'max-uses');
  const maxUses = maxUsesOption === undefined ? undefined : Number(maxUsesOption);
  if (maxUses !== undefined && !(Number.isInteger(maxUses) && maxUses > 0)) throw new UsageError('--max-uses takes a whole number above 0');

  const provider = await cliProvider(cli);
  const created = await createInitialAccessToken(provider, (event, change) => adminAction(cli, event, change), expires, maxUses);
  cli.printJson({
    initial_access_token: created.token,
    id: created.id,
    expires_at: created.expiresAt.toISOString(),
    max_uses: maxUses ?? null,
    registration_endpoint: `${cli.config.issuer}/reg`,
  });
  if (!cli.config.registration.dynamic) {
    cli.io.stderr.write('keyline: note: registration.dynamic is false, so /reg is closed until you set it to true\n');
  }
}

async function listTokens(cli: CliContext, rest: string[]): Promise<void> {
  parseArguments(rest, {}, 'keyline registration token list');
  const tokens = await listInitialAccessTokens(await cli.store());
  cli.printJson(tokens.map((token) => ({
    id: token.id, expires_at: token.expiresAt?.toISOString() ?? null, max_uses: token.maxUses, uses: token.uses,
  })));
}

async function revokeToken(cli: CliContext, rest: string[]): Promise<void> {
  const parsed = parseArguments(rest, {}, REVOKE_USAGE);
  const id = requirePositional(parsed, 0, 'id', REVOKE_USAGE);
  const revoked = await revokeInitialAccessToken(await cli.store(), (event, change) => adminAction(cli, event, change), id);
  if (!revoked) throw new CliError(`no initial access token has the id ${id} (see keyline registration token list)`);
  cli.print(`initial access token ${id} revoked`);
}

const ACTIONS: Record<string, (cli: CliContext, rest: string[]) => Promise<void>> = { create: createToken, list: listTokens, revoke: revokeToken };

export async function registrationCommand(cli: CliContext, args: string[]): Promise<void> {
  const [noun, action, ...rest] = args;
  const run = noun === 'token' && action && Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!run) {
    throw new UsageError(noun ? `unknown command "registration ${args.slice(0, 2).join(' ')}"; see keyline registration --help` : REGISTRATION_HELP);
  }
  await run(cli, rest);
}

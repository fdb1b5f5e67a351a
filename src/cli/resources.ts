import { SIGNING_ALGS } from '../config/schema.ts';
import { isOidcScope, RESOURCES } from '../oidc/keyline-client-metadata.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { listOption, parseArguments, requirePositional, stringOption } from './parse-arguments.ts';

export const RESOURCES_HELP = `keyline resources <command>

  add <url> [options]   register an API that receives JWT access tokens (aud = <url>);
                        running servers accept it within a second, without a restart
      --name NAME                       what the consent page calls it (default: the URL's host)
      --scopes LIST                     its scopes, space- or comma-separated (clients are then given some with --scopes)
      --signing-alg RS256|ES256|EdDSA   how its access tokens are signed (default RS256)
      --token-ttl SECONDS               access token lifetime (default: ttl.accessToken)
      --metadata-uri URL                where it publishes its RFC 9728 protected-resource metadata;
                                        discovery then lists it (default: not listed)
  list [--json]         the APIs from the store and from the config
  remove <url>          delete an API no client is given any more`;

const ADD_USAGE = 'keyline resources add <url> [--name NAME] [--scopes LIST] [--signing-alg ALG] [--token-ttl SECONDS] [--metadata-uri URL]';
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function checkIndicator(indicator: string): void {
  if (!URL.canParse(indicator) || !/^https?:$/.test(new URL(indicator).protocol) || new URL(indicator).hash) {
    throw new UsageError(`"${indicator}" is not a resource indicator: use the API's http:// or https:// URL, without a #fragment`);
  }
}

function isMetadataUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !new URL(value).hash;
}

async function addResource(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, {
    name: { type: 'string' },
    scopes: { type: 'string', multiple: true },
    'signing-alg': { type: 'string' },
    'token-ttl': { type: 'string' },
    'metadata-uri': { type: 'string' },
  }, ADD_USAGE);
  const indicator = requirePositional(parsed, 0, 'url', ADD_USAGE);
  checkIndicator(indicator);
  const scopes = [...new Set(listOption(parsed, 'scopes').flatMap((entry) => entry.split(/\s+/)).filter(Boolean))];
  const badScope = scopes.find((scope) => !SCOPE.test(scope) || isOidcScope(scope));
  if (badScope) throw new UsageError(`--scopes: "${badScope}" cannot be an API scope${isOidcScope(badScope) ? ' (it is an OpenID scope)' : ''}`);
  const signingAlg = stringOption(parsed, 'signing-alg') ?? 'RS256';
  if (!(SIGNING_ALGS as readonly string[]).includes(signingAlg)) throw new UsageError(`--signing-alg takes ${SIGNING_ALGS.join(', ')}`);
  const ttl = stringOption(parsed, 'token-ttl');
  if (ttl !== undefined && !/^[1-9]\d{0,6}$/.test(ttl)) throw new UsageError('--token-ttl takes a number of seconds');
  const metadataUri = stringOption(parsed, 'metadata-uri');
  if (metadataUri !== undefined && !isMetadataUrl(metadataUri)) {
    throw new UsageError(`--metadata-uri: "${metadataUri}" is not an http:// or https:// URL without a #fragment`);
  }
  if (cli.config.resources[indicator]) throw new CliError(`${indicator} is declared in the configuration (resources); change it there`);
  const now = new Date();
  const record = {
    indicator,
    name: stringOption(parsed, 'name') || null,
    scopes,
    signingAlg,
    accessTokenTtl: ttl === undefined ? null : Number(ttl),
    ...(metadataUri ? { metadataUri } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await (await cli.store()).resources.create(record);
  cli.printJson({ ...record, createdAt: now.toISOString(), updatedAt: now.toISOString() });
}

async function removeResource(cli: CliContext, args: string[]): Promise<void> {
  const usage = 'keyline resources remove <url>';
  const indicator = requirePositional(parseArguments(args, {}, usage), 0, 'url', usage);
  if (cli.config.resources[indicator]) throw new CliError(`${indicator} is declared in the configuration (resources); remove it there`);
  const store = await cli.store();
  const users = (await store.clients.list())
    .filter((client) => Array.isArray(client.metadata[RESOURCES]) && (client.metadata[RESOURCES] as string[]).includes(indicator))
    .map((client) => client.clientId);
  if (users.length) {
    throw new CliError(`${indicator} is still given to client(s) ${users.join(', ')}; take it away first (keyline clients update <client_id> --resource ...)`);
  }
  if (!await store.resources.remove(indicator)) throw new CliError(`no resource ${indicator} in the store`);
  cli.print(`removed resource ${indicator}`);
}

export async function resourcesCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add':
      await addResource(cli, rest);
      return;
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline resources list [--json]');
      const resources = await (await cli.resources()).list();
      if (parsed.values.json) {
        cli.printJson(resources);
      } else if (resources.length === 0) {
        cli.print('no resources');
      } else {
        for (const resource of resources) {
          cli.print(`${resource.indicator}\t${resource.name ?? ''}\t${resource.scopes.join(' ')}\t${resource.signingAlg}\t${resource.accessTokenTtl === undefined ? 'default ttl' : `${resource.accessTokenTtl}s`}\t(${resource.source})${resource.metadataUri ? `\tmetadata: ${resource.metadataUri}` : ''}`);
        }
      }
      return;
    }
    case 'remove':
      await removeResource(cli, rest);
      return;
    default:
      throw new UsageError(action ? `unknown command "resources ${action}"; see keyline resources --help` : RESOURCES_HELP);
  }
}

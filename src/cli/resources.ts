import type { z } from 'zod';
import {
  createResource, removeResource, updateResource, type ResourceAdministration,
} from '../oidc/resource-administration.ts';
import { newResourceSchema, resourceSettingsSchema } from '../oidc/resource-settings.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import { NotFoundError } from '../store/store-errors.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { listOption, parseArguments, requirePositional, stringOption, type ParsedArguments } from './parse-arguments.ts';

export const RESOURCES_HELP = `keyline resources <command>

  add <url> [options]     register an API that receives JWT access tokens (aud = <url>);
                          running servers accept it within a second, without a restart
      --name NAME                       what the consent page calls it (default: the URL's host)
      --scopes LIST                     its scopes, space- or comma-separated (clients are then given some with --scopes)
      --signing-alg RS256|ES256|EdDSA|Ed25519   how its access tokens are signed (default RS256); EdDSA (Ed25519 key)
                                        is what JWT libraries accept; Ed25519 only for an API that asks for that name
      --token-ttl SECONDS               access token lifetime (default: ttl.accessToken)
      --metadata-uri URL                where it publishes its RFC 9728 protected-resource metadata;
                                        discovery then lists it (default: not listed)
      --rbac | --no-rbac                role-based access control: a token's scope is what the subject's roles
                                        permit (see \`keyline roles\`), and it carries roles and permissions
                                        (default: off, the client's registered scopes decide)
  update <url> [options]  change any of the options above ("" gives --name, --token-ttl or --metadata-uri back its default);
                          a scope still given to a client or a role cannot be taken away
  list [--json]           the APIs: built into Keyline (the admin API), from the config, and from the store
  remove <url>            delete an API no client is given any more and no role belongs to`;

const ADD_USAGE = 'keyline resources add <url> [--name NAME] [--scopes LIST] [--signing-alg ALG] [--token-ttl SECONDS] [--metadata-uri URL] [--rbac]';
const UPDATE_USAGE = 'keyline resources update <url> [--name NAME] [--scopes LIST] [--signing-alg ALG] [--token-ttl SECONDS] [--metadata-uri URL] [--rbac | --no-rbac]';

const SETTING_OPTIONS = {
  name: { type: 'string' },
  scopes: { type: 'string', multiple: true },
  'signing-alg': { type: 'string' },
  'token-ttl': { type: 'string' },
  'metadata-uri': { type: 'string' },
  rbac: { type: 'boolean' },
} as const;

const OPTION_OF: Record<string, string> = { name: '--name', scopes: '--scopes', signingAlg: '--signing-alg', accessTokenTtl: '--token-ttl', metadataUri: '--metadata-uri', rbac: '--rbac' };

/** The settings given on the command line, and only those, as the admin API would take them. */
function settingsFromOptions(parsed: ParsedArguments): Record<string, unknown> {
  const given = (option: string) => parsed.values[option] !== undefined;
  const settings: Record<string, unknown> = {};
  if (given('name')) settings.name = stringOption(parsed, 'name') || null;
  if (given('scopes')) settings.scopes = listOption(parsed, 'scopes').flatMap((entry) => entry.split(/\s+/)).filter(Boolean);
  if (given('signing-alg')) settings.signingAlg = stringOption(parsed, 'signing-alg');
  if (given('token-ttl')) {
    const ttl = stringOption(parsed, 'token-ttl') ?? '';
    if (ttl !== '' && !/^\d+$/.test(ttl)) throw new UsageError('--token-ttl takes a number of seconds');
    settings.accessTokenTtl = ttl === '' ? null : Number(ttl);
  }
  if (given('metadata-uri')) settings.metadataUri = stringOption(parsed, 'metadata-uri') || null;
  if (given('rbac')) settings.rbac = parsed.values.rbac === true;
  return settings;
}

/** The one schema the admin API validates with checks the options too; its first complaint names the option. */
function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = OPTION_OF[String(issue.path[0])];
  throw new UsageError(option ? `${option}: ${issue.message}` : issue.message);
}

async function administration(cli: CliContext): Promise<ResourceAdministration> {
  return {
    store: await cli.store(), registry: await cli.resources(), audited: (event, change) => adminAction(cli, event, change),
    claimScopes: Object.keys(cli.config.claims),
  };
}

async function refusals<T>(indicator: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StateConflictError) throw new CliError(error.message);
    if (error instanceof NotFoundError) throw new CliError(`no resource ${indicator} in the store`);
    throw error;
  }
}

function printResource(cli: CliContext, record: { createdAt: Date; updatedAt: Date }): void {
  cli.printJson({ ...record, createdAt: record.createdAt.toISOString(), updatedAt: record.updatedAt.toISOString() });
}

export async function resourcesCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add': {
      const parsed = parseArguments(rest, SETTING_OPTIONS, ADD_USAGE);
      const { indicator, ...settings } = checked(newResourceSchema, { indicator: requirePositional(parsed, 0, 'url', ADD_USAGE), ...settingsFromOptions(parsed) });
      printResource(cli, await refusals(indicator, async () => createResource(await administration(cli), indicator, settings)));
      return;
    }
    case 'update': {
      const parsed = parseArguments(rest, SETTING_OPTIONS, UPDATE_USAGE);
      const indicator = requirePositional(parsed, 0, 'url', UPDATE_USAGE);
      const changes = checked(resourceSettingsSchema.partial(), settingsFromOptions(parsed));
      if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${UPDATE_USAGE})`);
      printResource(cli, await refusals(indicator, async () => updateResource(await administration(cli), indicator, changes)));
      return;
    }
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline resources list [--json]');
      const resources = await (await cli.resources()).list();
      if (parsed.values.json) {
        cli.printJson(resources);
      } else if (resources.length === 0) {
        cli.print('no resources');
      } else {
        for (const resource of resources) {
          const rbac = resource.rbac === true ? '\trbac' : resource.rbac === 'people' ? '\trbac for people' : '';
          cli.print(`${resource.indicator}\t${resource.name ?? ''}\t${resource.scopes.join(' ')}\t${resource.signingAlg}\t${resource.accessTokenTtl === undefined ? 'default ttl' : `${resource.accessTokenTtl}s`}\t(${resource.source})${rbac}${resource.metadataUri ? `\tmetadata: ${resource.metadataUri}` : ''}`);
        }
      }
      return;
    }
    case 'remove': {
      const usage = 'keyline resources remove <url>';
      const indicator = requirePositional(parseArguments(rest, {}, usage), 0, 'url', usage);
      await refusals(indicator, async () => removeResource(await administration(cli), indicator));
      cli.print(`removed resource ${indicator}`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "resources ${action}"; see keyline resources --help` : RESOURCES_HELP);
  }
}

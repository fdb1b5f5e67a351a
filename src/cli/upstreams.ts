import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  createUpstream, removeUpstream, requireUpstream, updateUpstream, upstreamView, type UpstreamAdministration,
} from '../federation/upstream-administration.ts';
import { isPresetId, PRESETS } from '../federation/presets.ts';
import { UpstreamSettingsError } from '../federation/upstream-settings-error.ts';
import { newUpstreamSchema, upstreamSettingsSchema, type UpstreamChangesInput } from '../federation/upstream-settings.ts';
import { DuplicateError, NotFoundError } from '../store/store-errors.ts';
import type { UpstreamRecord } from '../store/store.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { confirmDestructive } from './confirm.ts';
import { listOption, parseArguments, requirePositional, stringOption, type ParsedArguments } from './parse-arguments.ts';
import { readPassword } from './read-password.ts';

export const UPSTREAMS_HELP = `keyline upstreams <command>

  add <id> [options]      add an upstream identity provider people can sign in with; running servers
                          see it within a second, without a restart. The client secret (oidc, oauth2)
                          or bind password (ldap) is read from stdin, never from the command line
      --preset google|microsoft|github|gitlab|apple   fill in the provider's endpoints, scopes, claim
                                        mapping and button wording
      --type oidc|oauth2|ldap           without a preset
      --name NAME                       shown on its login button (default: the preset's name, or the id)
      --disabled                        added but not offered yet (--enabled on update offers it)
    OpenID Connect and OAuth 2.0:
      --issuer URL                      oidc: the issuer (discovery); https, plain http only to loopback
      --client-id ID                    the client id Keyline is registered with there
      --auth-method client_secret_basic|client_secret_post|private_key_jwt
                                        how Keyline authenticates to its token endpoint (default client_secret_basic)
      --private-key FILE                private_key_jwt: the PEM key Keyline signs its assertions with
      --scopes LIST                     scopes to ask for (default: the preset's, or openid email profile)
      --authorization-endpoint URL, --token-endpoint URL, --userinfo-endpoint URL
                                        oauth2: the provider's endpoints
      --emails-endpoint URL             oauth2: the person's addresses with a verified flag (as GitHub's /user/emails)
      --response-mode query|form_post   oidc: how the answer comes back (form_post: posted to the callback)
      --subject-claim NAME --email-claim NAME --email-verified-claim NAME
                                        the claims that identify the person, carry the email and say it
                                        is verified (default sub, email, email_verified); an email
                                        without a verified claim never links to a local account
      --end-session-endpoint URL        where --upstream-logout continues RP-initiated logout
      --tenant TENANT                   microsoft: a tenant id or domain (default organizations)
      --apple-team-id ID --apple-key-id ID --apple-private-key FILE
                                        apple: the client secret is a JWT Keyline signs with this key
    Logout from the upstream (oidc; see docs/federation.md):
      --ssf-bearer-token-file FILE      turns on the shared-signals receiver (/federation/<id>/events):
                                        the bearer token its transmitter sends (32+ characters)
      --ssf-issuer URL --ssf-jwks-uri URL   its transmitter's issuer and key set, when not the upstream's own
    LDAP / Active Directory:
      --url URL                         ldaps://host[:port], or ldap:// with --start-tls (plain ldap:// only to loopback)
      --start-tls                       upgrade ldap:// with StartTLS
      --bind-dn DN                      the service account that searches (its password from stdin)
      --user-search-base DN --user-filter FILTER   where and how people are found, e.g. "(mail={email})"
      --group-search-base DN --group-filter FILTER where and how their groups are found ({dn}: the person's DN)
      --email-verified                  the directory vouches for its mail attribute (default: it does not)
    Every type:
      --domains LIST                    email domains it claims: people typing such an address go
                                        straight to it (identifier-first); unique across upstreams
      --provisioning create|link-only|deny   a first sign-in makes an account (default), only links, or is refused
      --sync always|first               apply the mapping at every sign-in (default) or only the first
      --map-claim CLAIM=FIELD...        an upstream claim or LDAP attribute to a profile field or attribute
      --map-group CLAIM=VALUE:GROUP...  a claim value that makes the person a member of a Keyline group
      --trust-mfa                       count the upstream's own amr/acr towards Keyline's MFA policy
      --upstream-logout                 RP-initiated logout continues to the upstream's end-session endpoint
  update <id> [options]   change any of the options above (list options replace the list);
      --secret-stdin                    replace the client secret (or bind password) with one read from stdin
      --keep-links                      the provider moved but its subjects stay the same: keep the people
                                        linked through it (without it, a new issuer, user endpoint, subject
                                        claim or LDAP URL is refused while anyone is linked)
  list [--json]           the upstreams (never a secret)
  show <id>               one upstream as JSON (secrets only named)
  remove <id> [--yes]     delete an upstream and the identities linked through it (the accounts stay)`;

const ADD_USAGE = 'keyline upstreams add <id> [--preset NAME | --type oidc|oauth2|ldap] [options]';
const UPDATE_USAGE = 'keyline upstreams update <id> [options]';

const SETTING_OPTIONS = {
  name: { type: 'string' },
  enabled: { type: 'boolean' },
  disabled: { type: 'boolean' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'auth-method': { type: 'string' },
  'private-key': { type: 'string' },
  scopes: { type: 'string', multiple: true },
  'authorization-endpoint': { type: 'string' },
  'token-endpoint': { type: 'string' },
  'userinfo-endpoint': { type: 'string' },
  'end-session-endpoint': { type: 'string' },
  'emails-endpoint': { type: 'string' },
  'response-mode': { type: 'string' },
  'subject-claim': { type: 'string' },
  'email-claim': { type: 'string' },
  'email-verified-claim': { type: 'string' },
  'ssf-issuer': { type: 'string' },
  'ssf-jwks-uri': { type: 'string' },
  'ssf-bearer-token-file': { type: 'string' },
  tenant: { type: 'string' },
  'apple-team-id': { type: 'string' },
  'apple-key-id': { type: 'string' },
  'apple-private-key': { type: 'string' },
  url: { type: 'string' },
  'start-tls': { type: 'boolean' },
  'bind-dn': { type: 'string' },
  'user-search-base': { type: 'string' },
  'user-filter': { type: 'string' },
  'group-search-base': { type: 'string' },
  'group-filter': { type: 'string' },
  'email-verified': { type: 'boolean' },
  domains: { type: 'string', multiple: true },
  provisioning: { type: 'string' },
  sync: { type: 'string' },
  'map-claim': { type: 'string', multiple: true },
  'map-group': { type: 'string', multiple: true },
  'trust-mfa': { type: 'boolean' },
  'upstream-logout': { type: 'boolean' },
} as const;

/** Option -> setting, for the options that are one string each. */
const TEXT_OPTIONS: Record<string, string> = {
  name: 'name', issuer: 'issuer', 'client-id': 'clientId', 'auth-method': 'authMethod', 'authorization-endpoint': 'authorizationEndpoint',
  'token-endpoint': 'tokenEndpoint', 'userinfo-endpoint': 'userinfoEndpoint', 'end-session-endpoint': 'endSessionEndpoint', tenant: 'tenant',
  'emails-endpoint': 'emailsEndpoint', 'response-mode': 'responseMode', 'subject-claim': 'subjectClaim', 'email-claim': 'emailClaim',
  'email-verified-claim': 'emailVerifiedClaim',
  'ssf-issuer': 'ssfIssuer', 'ssf-jwks-uri': 'ssfJwksUri',
  'apple-team-id': 'appleTeamId', 'apple-key-id': 'appleKeyId', url: 'url', 'bind-dn': 'bindDn', 'user-search-base': 'userSearchBase',
  'user-filter': 'userFilter', 'group-search-base': 'groupSearchBase', 'group-filter': 'groupFilter', provisioning: 'provisioning', sync: 'sync',
};
const SWITCH_OPTIONS: Record<string, string> = { 'start-tls': 'startTls', 'email-verified': 'emailVerified', 'trust-mfa': 'trustMfa', 'upstream-logout': 'upstreamLogout' };
const OPTION_OF: Record<string, string> = {
  ...Object.fromEntries(Object.entries({ ...TEXT_OPTIONS, ...SWITCH_OPTIONS }).map(([option, setting]) => [setting, `--${option}`])),
  scopes: '--scopes', domains: '--domains', mapClaims: '--map-claim', mapGroups: '--map-group', enabled: '--enabled/--disabled', privateKey: '--private-key',
  ssfBearerToken: '--ssf-bearer-token-file',
};

function readKeyFile(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/** The settings given on the command line, and only those, as the admin API would take them. */
function settingsFromOptions(parsed: ParsedArguments): Record<string, unknown> {
  const given = (option: string) => parsed.values[option] !== undefined;
  const settings: Record<string, unknown> = {};
  for (const [option, setting] of Object.entries(TEXT_OPTIONS)) if (given(option)) settings[setting] = stringOption(parsed, option);
  for (const [option, setting] of Object.entries(SWITCH_OPTIONS)) if (given(option)) settings[setting] = parsed.values[option] === true;
  if (given('enabled') && given('disabled')) throw new UsageError('--enabled and --disabled contradict each other');
  if (given('enabled')) settings.enabled = parsed.values.enabled === true;
  if (given('disabled')) settings.enabled = parsed.values.disabled !== true;
  if (given('scopes')) settings.scopes = listOption(parsed, 'scopes').flatMap((entry) => entry.split(/\s+/)).filter(Boolean);
  if (given('domains')) settings.domains = listOption(parsed, 'domains');
  if (given('private-key') && given('apple-private-key')) throw new UsageError('give --private-key or --apple-private-key, not both');
  for (const option of ['private-key', 'apple-private-key']) if (given(option)) settings.privateKey = readKeyFile(stringOption(parsed, option)!, `--${option}`);
  if (given('ssf-bearer-token-file')) settings.ssfBearerToken = readKeyFile(stringOption(parsed, 'ssf-bearer-token-file')!, '--ssf-bearer-token-file').trim();
  if (given('map-claim')) {
    settings.mapClaims = Object.fromEntries(listOption(parsed, 'map-claim').map((entry) => {
      const at = entry.indexOf('=');
      if (at < 1 || at === entry.length - 1) throw new UsageError(`--map-claim takes CLAIM=FIELD, not "${entry}"`);
      return [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  if (given('map-group')) {
    settings.mapGroups = listOption(parsed, 'map-group').map((entry) => {
      const at = entry.indexOf('=');
      const colon = entry.lastIndexOf(':');
      if (at < 1 || colon <= at + 1 || colon === entry.length - 1) throw new UsageError(`--map-group takes CLAIM=VALUE:GROUP, not "${entry}"`);
      return { claim: entry.slice(0, at), value: entry.slice(at + 1, colon), group: entry.slice(colon + 1) };
    });
  }
  return settings;
}

/** The one schema the admin API validates with checks the options too; its first complaint names the option. */
function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = OPTION_OF[String(issue.path[0])] ?? (issue.path[0] === 'id' ? '<id>' : undefined);
  throw new UsageError(option ? `${option}: ${issue.message}` : issue.message);
}

async function administration(cli: CliContext): Promise<UpstreamAdministration> {
  return { store: await cli.store(), audited: (event, change) => adminAction(cli, event, change), sealer: cli.cipher };
}

async function refusals<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamSettingsError) throw new CliError(`${OPTION_OF[error.field] ?? error.field}: ${error.message}`);
    if (error instanceof NotFoundError) throw new CliError(`no upstream ${id}`);
    if (error instanceof DuplicateError) throw new CliError(error.message);
    throw error;
  }
}

/** Which secret this upstream takes from stdin: none for keys read from files. */
function stdinSecretOf(type: UpstreamRecord['type'], settings: Record<string, unknown>, preset: string | undefined): 'clientSecret' | 'bindPassword' | undefined {
  if (type === 'ldap') return settings.bindDn === undefined ? undefined : 'bindPassword';
  if (preset === 'apple' || settings.authMethod === 'private_key_jwt') return undefined;
  return 'clientSecret';
}

async function readSecret(cli: CliContext, name: 'clientSecret' | 'bindPassword', id: string): Promise<string> {
  const label = name === 'clientSecret' ? 'Client secret' : 'Bind password';
  return readPassword(cli.io, { label, example: `printf %s "$SECRET" | keyline upstreams add ${id} ...` });
}

export async function upstreamsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add': {
      const parsed = parseArguments(rest, { ...SETTING_OPTIONS, preset: { type: 'string' }, type: { type: 'string' } }, ADD_USAGE);
      const id = requirePositional(parsed, 0, 'id', ADD_USAGE);
      const preset = stringOption(parsed, 'preset');
      if (preset !== undefined && !isPresetId(preset)) throw new UsageError(`--preset takes ${Object.keys(PRESETS).join(', ')}`);
      const input = checked(newUpstreamSchema, { id, preset, type: stringOption(parsed, 'type'), ...settingsFromOptions(parsed) });
      const type = input.type ?? (input.preset ? PRESETS[input.preset].type : undefined);
      const secret = type ? stdinSecretOf(type, input, input.preset) : undefined;
      if (secret) input[secret] = await readSecret(cli, secret, id);
      cli.printJson(upstreamView(await refusals(id, async () => createUpstream(await administration(cli), input))));
      return;
    }
    case 'update': {
      const parsed = parseArguments(rest, { ...SETTING_OPTIONS, 'secret-stdin': { type: 'boolean' }, 'keep-links': { type: 'boolean' } }, UPDATE_USAGE);
      const id = requirePositional(parsed, 0, 'id', UPDATE_USAGE);
      const changes: UpstreamChangesInput & { keepLinks?: boolean } = checked(upstreamSettingsSchema.partial(), settingsFromOptions(parsed));
      if (parsed.values['secret-stdin'] === true) {
        const current = await refusals(id, async () => requireUpstream(await cli.store(), id));
        const secret = current.type === 'ldap' ? 'bindPassword' : 'clientSecret';
        changes[secret] = await readSecret(cli, secret, id);
      }
      if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${UPDATE_USAGE})`);
      if (parsed.values['keep-links'] === true) changes.keepLinks = true;
      cli.printJson(upstreamView(await refusals(id, async () => updateUpstream(await administration(cli), id, changes))));
      return;
    }
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline upstreams list [--json]');
      const upstreams = await (await cli.store()).upstreams.list();
      if (parsed.values.json) {
        cli.printJson(upstreams.map(upstreamView));
      } else if (upstreams.length === 0) {
        cli.print('no upstreams');
      } else {
        for (const upstream of upstreams) {
          cli.print(`${upstream.id}\t${upstream.type}${upstream.preset ? ` (${upstream.preset})` : ''}\t${upstream.enabled ? 'enabled' : 'disabled'}\t${upstream.name}${upstream.domains.length ? `\tdomains: ${upstream.domains.join(',')}` : ''}`);
        }
      }
      return;
    }
    case 'show': {
      const usage = 'keyline upstreams show <id>';
      const id = requirePositional(parseArguments(rest, {}, usage), 0, 'id', usage);
      cli.printJson(upstreamView(await refusals(id, async () => requireUpstream(await cli.store(), id))));
      return;
    }
    case 'remove': {
      const usage = 'keyline upstreams remove <id> [--yes]';
      const parsed = parseArguments(rest, { yes: { type: 'boolean' } }, usage);
      const id = requirePositional(parsed, 0, 'id', usage);
      await refusals(id, async () => requireUpstream(await cli.store(), id));
      await confirmDestructive(cli, parsed.values.yes === true, `removing upstream ${id} forgets every identity linked through it (the accounts stay)`);
      const { unlinked } = await refusals(id, async () => removeUpstream(await administration(cli), id));
      cli.print(`removed upstream ${id} (${unlinked} linked ${unlinked === 1 ? 'identity' : 'identities'} forgotten)`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "upstreams ${action}"; see keyline upstreams --help` : UPSTREAMS_HELP);
  }
}

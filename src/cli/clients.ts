import { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE, adminApiIndicator } from '../oidc/admin-api-resource.ts';
import {
  createClient, removeClient, rotateClientSecret, updateClient, type AdministeredClient, type ClientAdministration,
} from '../oidc/client-administration.ts';
import { ClientRegistrationError, publicMetadata, type ClientSettings } from '../oidc/client-registration.ts';
import { StateConflictError } from '../oidc/state-conflict-error.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { cliProvider } from './cli-provider.ts';
import { confirmDestructive } from './confirm.ts';
import { readKeySet } from './read-key-set.ts';
import { adminAction } from './admin-action.ts';
import { listOption, parseArguments, requirePositional, stringOption, type ParsedArguments } from './parse-arguments.ts';

const SETTING_HELP = `      --redirect-uri URI...             where codes may be sent (exact match); repeat or comma-separate
      --grant-types LIST                authorization_code,refresh_token (default), client_credentials, or
                                        urn:ietf:params:oauth:grant-type:device_code (TVs, CLIs: RFC 8628)
      --scopes "..."                    OpenID scopes and the API scopes of its --resource APIs;
                                        default "openid profile email offline_access" for sign-in clients
      --pkce optional|required          a confidential client may omit PKCE when optional (required by default)
      --mfa required|optional           required: everyone signing in to it proves a second factor, setting
                                        one up on the way if they have none (optional by default)
      --post-logout-redirect-uri URI... where RP-initiated logout may return to
      --resource URI...                 APIs (see keyline resources) it may get JWT access tokens for; the first is its default
      --id-token-alg RS256|ES256|EdDSA  how its id_tokens are signed (default RS256); EdDSA (Ed25519 key) is
                                        what client libraries accept; Ed25519 only for one that asks for that name
      --auth-method METHOD              client_secret_basic (default), client_secret_post, private_key_jwt
                                        (signs assertions with its own keys: needs --jwks-uri or --jwks), or none (public)
      --jwks-uri URL                    private_key_jwt: where the client publishes its public keys (JWK Set)
      --jwks FILE                       private_key_jwt: a file with its public keys (a JWK Set or one JWK)
      --require-par                     authorization requests only as pushed requests (RFC 9126); --no-require-par undoes
      --dpop-bound                      its tokens are bound to its DPoP key (RFC 9449); --no-dpop-bound undoes
      --profile fapi2|none              fapi2: held to the FAPI 2.0 Security Profile (needs private_key_jwt; turns on
                                        --require-par and --dpop-bound, codes live at most 60 s, the issuer as the
                                        assertion's only audience, redirect_uri always, a 60 s refresh retry window)
      --logo-uri URL                    logo shown on the consent page
      --client-uri URL                  the app's home page (consent page, and links back from error pages)
      --policy-uri URL                  its privacy policy, linked from the consent page
      --tos-uri URL                     its terms of service, linked from the consent page
      --backchannel-logout-uri URL      where Keyline POSTs a logout token whenever the user's session ends (https)
      --backchannel-logout-session-required  the client needs the session id (sid) in its logout tokens
                                        (--no-backchannel-logout-session-required on update turns that off)
      --upstreams LIST                  the upstream identity providers (see keyline upstreams) its login page
                                        offers, by id (default: every enabled one; "" gives that back)
      --no-local-login                  its people sign in only through one of its --upstreams (no password,
                                        no passkey); --local-login on update gives those back`;

export const CLIENTS_HELP = `keyline clients <command>

  add --name NAME [options]     register a client and print it as JSON (a secret is shown this once)
      --public                          no secret (SPAs, native apps); PKCE is then always required
${SETTING_HELP}
  add --admin [--read-only | --helpdesk] [--name NAME]
                                a client for the admin REST API (/admin/v1): client credentials, the admin API's
                                resource, scope keyline:admin (reads and writes) or, with --read-only, keyline:admin:read,
                                or, with --helpdesk, keyline:helpdesk (the help desk's operations only)
  update <client_id> [options]  change any of the settings above, and --name; list options replace the list
                                (an empty value clears it: --logo-uri ""); takes effect on running servers at once
  list [--json]                 list clients (never secrets)
  show <client_id>              print one client as JSON
  remove <client_id> [--yes]    delete a client (asks to confirm)
  rotate-secret <client_id>     issue a new secret (printed once); the old one stops working at once`;

const ADD_USAGE = 'keyline clients add --name NAME --redirect-uri URI... [options]';
const UPDATE_USAGE = 'keyline clients update <client_id> [--name NAME] [options]';

const SETTING_OPTIONS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'grant-types': { type: 'string' },
  scopes: { type: 'string' },
  pkce: { type: 'string' },
  mfa: { type: 'string' },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  resource: { type: 'string', multiple: true },
  'id-token-alg': { type: 'string' },
  'auth-method': { type: 'string' },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
  'policy-uri': { type: 'string' },
  'tos-uri': { type: 'string' },
  'jwks-uri': { type: 'string' },
  jwks: { type: 'string' },
  'require-par': { type: 'boolean' },
  'dpop-bound': { type: 'boolean' },
  profile: { type: 'string' },
  'backchannel-logout-uri': { type: 'string' },
  'backchannel-logout-session-required': { type: 'boolean' },
  upstreams: { type: 'string', multiple: true },
  'local-login': { type: 'boolean' },
} as const;

/** `--flag` turns a setting on, `--no-flag` off (parseArguments refuses both at once), neither leaves it. */
function switchOption(parsed: ParsedArguments, name: string): boolean | undefined {
  const value = parsed.values[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** The settings given on the command line, and only those: an update changes nothing else. */
function settingsFromOptions(parsed: ParsedArguments): Partial<ClientSettings> {
  const given = (option: string) => parsed.values[option] !== undefined;
  const settings: Partial<ClientSettings> = {};
  if (given('name')) settings.name = stringOption(parsed, 'name');
  if (given('redirect-uri')) settings.redirectUris = listOption(parsed, 'redirect-uri');
  if (given('post-logout-redirect-uri')) settings.postLogoutRedirectUris = listOption(parsed, 'post-logout-redirect-uri');
  if (given('grant-types')) settings.grantTypes = listOption(parsed, 'grant-types');
  if (given('scopes')) settings.scopes = stringOption(parsed, 'scopes') ?? '';
  if (given('resource')) settings.resources = listOption(parsed, 'resource');
  if (given('pkce')) {
    const pkce = stringOption(parsed, 'pkce');
    if (pkce !== 'optional' && pkce !== 'required') throw new UsageError('--pkce takes "optional" or "required"');
    settings.pkceOptional = pkce === 'optional';
  }
  if (given('mfa')) {
    const mfa = stringOption(parsed, 'mfa');
    if (mfa !== 'optional' && mfa !== 'required') throw new UsageError('--mfa takes "required" or "optional"');
    settings.requireMfa = mfa === 'required';
  }
  const text = (option: string) => stringOption(parsed, option) || undefined;
  if (given('id-token-alg')) settings.idTokenAlg = text('id-token-alg');
  if (given('auth-method')) settings.authMethod = text('auth-method');
  if (given('logo-uri')) settings.logoUri = text('logo-uri');
  if (given('client-uri')) settings.clientUri = text('client-uri');
  if (given('policy-uri')) settings.policyUri = text('policy-uri');
  if (given('tos-uri')) settings.tosUri = text('tos-uri');
  if (given('jwks-uri')) settings.jwksUri = text('jwks-uri');
  if (given('jwks')) settings.jwks = text('jwks') === undefined ? undefined : readKeySet(text('jwks')!);
  if (given('profile')) {
    const profile = stringOption(parsed, 'profile');
    if (profile !== 'fapi2' && profile !== 'none') throw new UsageError('--profile takes "fapi2" or "none"');
    settings.profile = profile === 'none' ? undefined : profile;
  }
  const requirePar = switchOption(parsed, 'require-par');
  if (requirePar !== undefined) settings.requirePar = requirePar;
  const dpopBound = switchOption(parsed, 'dpop-bound');
  if (dpopBound !== undefined) settings.dpopBound = dpopBound;
  if (given('backchannel-logout-uri')) {
    settings.backchannelLogoutUri = text('backchannel-logout-uri');
    // Clearing the URI (--backchannel-logout-uri "") clears what only makes sense with one.
    if (!settings.backchannelLogoutUri) settings.backchannelLogoutSessionRequired = false;
  }
  if (given('backchannel-logout-session-required')) settings.backchannelLogoutSessionRequired = parsed.values['backchannel-logout-session-required'] === true;
  if (given('upstreams')) settings.upstreams = listOption(parsed, 'upstreams');
  const localLogin = switchOption(parsed, 'local-login');
  if (localLogin !== undefined) settings.noLocalLogin = !localLogin;
  return settings;
}

async function registration<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClientRegistrationError) throw new CliError(`invalid client: ${error.message}`);
    if (error instanceof StateConflictError) throw new CliError(error.message);
    throw error;
  }
}

function printClient(cli: CliContext, { client, clientSecret }: AdministeredClient): void {
  cli.printJson({ ...publicMetadata(client.metadata), ...(clientSecret ? { client_secret: clientSecret } : {}) });
}

async function administration(cli: CliContext): Promise<ClientAdministration> {
  const store = await cli.store();
  return {
    store,
    registration: { provider: await cliProvider(cli), resources: await cli.resources(), allowPrivateNetworks: cli.config.outbound.allowPrivateNetworks,
      claimScopes: Object.keys(cli.config.claims), upstreamExists: async (id) => (await store.upstreams.find(id)) !== undefined },
    audited: (event, change) => adminAction(cli, event, change),
  };
}

const ADMIN_USAGE = 'keyline clients add --admin [--read-only | --helpdesk] [--name NAME]';

/** `--admin`: everything a client of the admin API needs, and nothing else. */
function adminClientSettings(cli: CliContext, parsed: ParsedArguments, settings: Partial<ClientSettings>): Partial<ClientSettings> & { name: string } {
  const others = Object.keys(settings).filter((setting) => setting !== 'name');
  if (others.length || parsed.values.public) throw new UsageError(`--admin sets the grant type, resource and scope itself; give only --read-only or --helpdesk, and --name (usage: ${ADMIN_USAGE})`);
  const readOnly = parsed.values['read-only'] === true;
  const helpdesk = parsed.values.helpdesk === true;
  if (readOnly && helpdesk) throw new UsageError(`--read-only and --helpdesk are different rights; give one (usage: ${ADMIN_USAGE})`);
  return {
    name: settings.name ?? (readOnly ? 'Keyline admin (read-only)' : helpdesk ? 'Keyline help desk' : 'Keyline admin'),
    grantTypes: ['client_credentials'],
    resources: [adminApiIndicator(cli.config.issuer)],
    scopes: readOnly ? ADMIN_READ_SCOPE : helpdesk ? ADMIN_HELPDESK_SCOPE : ADMIN_SCOPE,
  };
}

async function addClient(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, {
    ...SETTING_OPTIONS, public: { type: 'boolean' }, admin: { type: 'boolean' }, 'read-only': { type: 'boolean' }, helpdesk: { type: 'boolean' },
  }, ADD_USAGE);
  const settings = settingsFromOptions(parsed);
  if ((parsed.values['read-only'] || parsed.values.helpdesk) && !parsed.values.admin) {
    throw new UsageError(`--read-only and --helpdesk are for --admin clients (usage: ${ADMIN_USAGE})`);
  }
  if (parsed.values.admin) {
    printClient(cli, await registration(async () => createClient(await administration(cli), adminClientSettings(cli, parsed, settings))));
    return;
  }
  if (!settings.name) throw new UsageError(`--name is required (usage: ${ADD_USAGE})`);
  const isPublic = parsed.values.public === true || settings.authMethod === 'none';
  printClient(cli, await registration(async () => createClient(await administration(cli), {
    ...settings, name: settings.name!, isPublic, authMethod: isPublic ? undefined : settings.authMethod,
  })));
}

async function updateClientSettings(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, SETTING_OPTIONS, UPDATE_USAGE);
  const clientId = requirePositional(parsed, 0, 'client_id', UPDATE_USAGE);
  const changes = settingsFromOptions(parsed);
  if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${UPDATE_USAGE})`);
  await requireClient(cli, clientId);
  printClient(cli, await registration(async () => updateClient(await administration(cli), clientId, changes)));
}

async function requireClient(cli: CliContext, clientId: string) {
  const client = await (await cli.store()).clients.find(clientId);
  if (!client) throw new CliError(`no client with id ${clientId}`);
  return client;
}

export async function clientsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add':
      await addClient(cli, rest);
      return;
    case 'update':
      await updateClientSettings(cli, rest);
      return;
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline clients list [--json]');
      const clients = (await (await cli.store()).clients.list()).map((client) => ({
        ...publicMetadata(client.metadata),
        created_at: client.createdAt.toISOString(),
      }) as unknown as Record<string, unknown> & { client_id: string; client_name?: string; grant_types?: string[] });
      if (parsed.values.json) {
        cli.printJson(clients);
      } else if (clients.length === 0) {
        cli.print('no clients');
      } else {
        for (const client of clients) cli.print(`${client.client_id}\t${client.client_name ?? ''}\t${(client.grant_types ?? []).join(',')}`);
      }
      return;
    }
    case 'show': {
      const usage = 'keyline clients show <client_id>';
      const client = await requireClient(cli, requirePositional(parseArguments(rest, {}, usage), 0, 'client_id', usage));
      cli.printJson(publicMetadata(client.metadata));
      return;
    }
    case 'remove': {
      const usage = 'keyline clients remove <client_id> [--yes]';
      const parsed = parseArguments(rest, { yes: { type: 'boolean' } }, usage);
      const clientId = requirePositional(parsed, 0, 'client_id', usage);
      await requireClient(cli, clientId);
      await confirmDestructive(cli, parsed.values.yes === true, `removing client ${clientId} stops its secret and tokens from working and forgets its consents`);
      await removeClient(await administration(cli), clientId);
      cli.print(`removed client ${clientId}`);
      return;
    }
    case 'rotate-secret': {
      const usage = 'keyline clients rotate-secret <client_id>';
      const clientId = requirePositional(parseArguments(rest, {}, usage), 0, 'client_id', usage);
      await requireClient(cli, clientId);
      const secret = await registration(async () => rotateClientSecret(await administration(cli), clientId));
      cli.printJson({ client_id: clientId, client_secret: secret });
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "clients ${action}"; see keyline clients --help` : CLIENTS_HELP);
  }
}

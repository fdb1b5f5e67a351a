import { generateClientSecret, hashClientSecret } from '../oidc/client-secrets.ts';
import {
  changeClient, ClientRegistrationError, publicMetadata, registerClient, type ClientSettings, type RegisteredClient,
} from '../oidc/client-registration.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { cliProvider } from './cli-provider.ts';
import { confirmDestructive } from './confirm.ts';
import { adminAction } from './admin-action.ts';
import { listOption, parseArguments, requirePositional, stringOption, type ParsedArguments } from './parse-arguments.ts';

const SETTING_HELP = `      --redirect-uri URI...             where codes may be sent (exact match); repeat or comma-separate
      --grant-types LIST                authorization_code,refresh_token (default) or client_credentials
      --scopes "..."                    OpenID scopes and the API scopes of its --resource APIs;
                                        default "openid profile email offline_access" for sign-in clients
      --pkce optional|required          a confidential client may omit PKCE when optional (required by default)
      --post-logout-redirect-uri URI... where RP-initiated logout may return to
      --resource URI...                 APIs (see keyline resources) it may get JWT access tokens for; the first is its default
      --id-token-alg RS256|ES256|EdDSA  how its id_tokens are signed (default RS256)
      --auth-method METHOD              client_secret_basic (default), client_secret_post, or none (public)
      --logo-uri URL                    logo shown on the consent page
      --client-uri URL                  the app's home page (consent page, and links back from error pages)
      --policy-uri URL                  its privacy policy, linked from the consent page
      --tos-uri URL                     its terms of service, linked from the consent page
      --backchannel-logout-uri URL      where Keyline POSTs a logout token whenever the user's session ends (https)
      --backchannel-logout-session-required  the client needs the session id (sid) in its logout tokens
                                        (--no-backchannel-logout-session-required on update turns that off)`;

export const CLIENTS_HELP = `keyline clients <command>

  add --name NAME [options]     register a client and print it as JSON (a secret is shown this once)
      --public                          no secret (SPAs, native apps); PKCE is then always required
${SETTING_HELP}
  update <client_id> [options]  change any of the settings above, and --name; list options replace the list
                                (an empty value clears it: --logo-uri ""); takes effect on running servers at once
  list [--json]                 list clients (never secrets)
  show <client_id>              print one client as JSON
  remove <client_id> [--yes]    delete a client (asks to confirm)
  rotate-secret <client_id>     issue a new secret (printed once); the old one stops working at once`;

/** What the audit trail keeps of a client: its public metadata, never the secret (nor its hash). */
function auditedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return publicMetadata(metadata);
}

const ADD_USAGE = 'keyline clients add --name NAME --redirect-uri URI... [options]';
const UPDATE_USAGE = 'keyline clients update <client_id> [--name NAME] [options]';

const SETTING_OPTIONS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'grant-types': { type: 'string' },
  scopes: { type: 'string' },
  pkce: { type: 'string' },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  resource: { type: 'string', multiple: true },
  'id-token-alg': { type: 'string' },
  'auth-method': { type: 'string' },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
  'policy-uri': { type: 'string' },
  'tos-uri': { type: 'string' },
  'backchannel-logout-uri': { type: 'string' },
  'backchannel-logout-session-required': { type: 'boolean' },
} as const;

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
  const text = (option: string) => stringOption(parsed, option) || undefined;
  if (given('id-token-alg')) settings.idTokenAlg = text('id-token-alg');
  if (given('auth-method')) settings.authMethod = text('auth-method');
  if (given('logo-uri')) settings.logoUri = text('logo-uri');
  if (given('client-uri')) settings.clientUri = text('client-uri');
  if (given('policy-uri')) settings.policyUri = text('policy-uri');
  if (given('tos-uri')) settings.tosUri = text('tos-uri');
  if (given('backchannel-logout-uri')) {
    settings.backchannelLogoutUri = text('backchannel-logout-uri');
    // Clearing the URI (--backchannel-logout-uri "") clears what only makes sense with one.
    if (!settings.backchannelLogoutUri) settings.backchannelLogoutSessionRequired = false;
  }
  if (given('backchannel-logout-session-required')) settings.backchannelLogoutSessionRequired = parsed.values['backchannel-logout-session-required'] === true;
  return settings;
}

async function registration<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClientRegistrationError) throw new CliError(`invalid client: ${error.message}`);
    throw error;
  }
}

function printClient(cli: CliContext, client: RegisteredClient): void {
  cli.printJson({ ...publicMetadata(client.metadata), ...(client.clientSecret ? { client_secret: client.clientSecret } : {}) });
}

async function addClient(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, { ...SETTING_OPTIONS, public: { type: 'boolean' } }, ADD_USAGE);
  const settings = settingsFromOptions(parsed);
  if (!settings.name) throw new UsageError(`--name is required (usage: ${ADD_USAGE})`);
  const isPublic = parsed.values.public === true || settings.authMethod === 'none';
  const context = { provider: await cliProvider(cli), resources: await cli.resources() };
  const registered = await registration(() => registerClient(context, {
    ...settings, name: settings.name!, isPublic, authMethod: isPublic ? undefined : settings.authMethod,
  }));
  const now = new Date();
  await adminAction(cli, { type: 'client.created', clientId: registered.clientId, data: { after: auditedMetadata(registered.metadata) } },
    async () => (await cli.store()).clients.create({ clientId: registered.clientId, metadata: registered.metadata, createdAt: now, updatedAt: now }));
  printClient(cli, registered);
}

async function updateClient(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, SETTING_OPTIONS, UPDATE_USAGE);
  const clientId = requirePositional(parsed, 0, 'client_id', UPDATE_USAGE);
  const changes = settingsFromOptions(parsed);
  if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${UPDATE_USAGE})`);
  const store = await cli.store();
  const client = await store.clients.find(clientId);
  if (!client) throw new CliError(`no client with id ${clientId}`);
  const context = { provider: await cliProvider(cli), resources: await cli.resources() };
  const changed = await registration(() => changeClient(context, client.metadata, changes));
  await adminAction(cli, {
    type: 'client.updated', clientId, data: { before: auditedMetadata(client.metadata), after: auditedMetadata(changed.metadata) },
  }, () => store.clients.update(clientId, changed.metadata));
  printClient(cli, changed);
}

export async function clientsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add':
      await addClient(cli, rest);
      return;
    case 'update':
      await updateClient(cli, rest);
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
      const clientId = requirePositional(parseArguments(rest, {}, usage), 0, 'client_id', usage);
      const client = await (await cli.store()).clients.find(clientId);
      if (!client) throw new CliError(`no client with id ${clientId}`);
      cli.printJson(publicMetadata(client.metadata));
      return;
    }
    case 'remove': {
      const usage = 'keyline clients remove <client_id> [--yes]';
      const parsed = parseArguments(rest, { yes: { type: 'boolean' } }, usage);
      const clientId = requirePositional(parsed, 0, 'client_id', usage);
      const store = await cli.store();
      const existing = await store.clients.find(clientId);
      if (!existing) throw new CliError(`no client with id ${clientId}`);
      await confirmDestructive(cli, parsed.values.yes === true, `removing client ${clientId} stops its secret and tokens from working and forgets its consents`);
      const streams = await store.streams.listByClient(clientId);
      await adminAction(cli, {
        type: 'client.removed', clientId, data: { before: auditedMetadata(existing.metadata), consentsRemoved: true, signalStreamsRemoved: streams.length },
      }, async () => {
        if (!await store.clients.remove(clientId)) throw new CliError(`no client with id ${clientId}`);
        await store.consents.removeForClient(clientId);
        // A receiver's shared-signals streams go with it (their held SETs too).
        for (const stream of streams) await store.streams.remove(stream.id);
      });
      cli.print(`removed client ${clientId}`);
      return;
    }
    case 'rotate-secret': {
      const usage = 'keyline clients rotate-secret <client_id>';
      const clientId = requirePositional(parseArguments(rest, {}, usage), 0, 'client_id', usage);
      const store = await cli.store();
      const client = await store.clients.find(clientId);
      if (!client) throw new CliError(`no client with id ${clientId}`);
      if (client.metadata.token_endpoint_auth_method === 'none') throw new CliError(`client ${clientId} is public and has no secret`);
      const secret = generateClientSecret();
      await adminAction(cli, { type: 'client.secret_rotated', clientId, data: { changed: ['client_secret'] } },
        () => store.clients.update(clientId, { ...client.metadata, client_secret: hashClientSecret(secret) }));
      cli.printJson({ client_id: clientId, client_secret: secret });
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "clients ${action}"; see keyline clients --help` : CLIENTS_HELP);
  }
}

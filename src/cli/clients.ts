import { generateClientSecret, hashClientSecret } from '../oidc/client-secrets.ts';
import { publicMetadata, registerClient } from '../oidc/client-registration.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { cliProvider } from './cli-provider.ts';
import { confirmDestructive } from './confirm.ts';
import { adminAction } from './admin-action.ts';
import { listOption, parseArguments, requirePositional, stringOption } from './parse-arguments.ts';

export const CLIENTS_HELP = `keyline clients <command>

  add --name NAME [options]     register a client and print it as JSON (a secret is shown this once)
      --redirect-uri URI...             where codes may be sent (exact match); repeat or comma-separate
      --grant-types LIST                authorization_code,refresh_token (default) or client_credentials
      --scopes "..."                    default "openid profile email offline_access"
      --public                          no secret (SPAs, native apps); PKCE is then always required
      --pkce optional                   a confidential client may omit PKCE (required otherwise)
      --post-logout-redirect-uri URI... where RP-initiated logout may return to
      --resource URI...                 APIs this client may get JWT access tokens for; the first is its default
      --id-token-alg RS256|ES256|EdDSA  how its id_tokens are signed (default RS256)
      --auth-method METHOD              client_secret_basic (default) or client_secret_post
  list [--json]                 list clients (never secrets)
  show <client_id>              print one client as JSON
  remove <client_id> [--yes]    delete a client (asks to confirm)
  rotate-secret <client_id>     issue a new secret (printed once); the old one stops working at once`;

/** What the audit trail keeps of a client: its public metadata, never the secret (nor its hash). */
function auditedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return publicMetadata(metadata);
}

const ADD_USAGE = 'keyline clients add --name NAME --redirect-uri URI... [options]';
const GRANT_SETS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);

async function addClient(cli: CliContext, args: string[]): Promise<void> {
  const parsed = parseArguments(args, {
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'grant-types': { type: 'string' },
    scopes: { type: 'string' },
    public: { type: 'boolean' },
    pkce: { type: 'string' },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    resource: { type: 'string', multiple: true },
    'id-token-alg': { type: 'string' },
    'auth-method': { type: 'string' },
  }, ADD_USAGE);
  const name = stringOption(parsed, 'name');
  if (!name) throw new UsageError(`--name is required (usage: ${ADD_USAGE})`);
  const grantTypes = listOption(parsed, 'grant-types');
  if (grantTypes.length === 0) grantTypes.push('authorization_code', 'refresh_token');
  const unknownGrant = grantTypes.find((grant) => !GRANT_SETS.has(grant));
  if (unknownGrant) throw new UsageError(`--grant-types: "${unknownGrant}" is not offered; use authorization_code, refresh_token or client_credentials`);
  const pkce = stringOption(parsed, 'pkce');
  if (pkce !== undefined && pkce !== 'optional' && pkce !== 'required') throw new UsageError('--pkce takes "optional" or "required"');
  const isPublic = parsed.values.public === true;
  if (isPublic && pkce === 'optional') throw new UsageError('--pkce optional is only for confidential clients; a public client must use PKCE');
  if (isPublic && grantTypes.includes('client_credentials')) throw new UsageError('client_credentials needs a confidential client; drop --public');
  const redirectUris = listOption(parsed, 'redirect-uri');
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new UsageError(`--redirect-uri is required for authorization_code clients (usage: ${ADD_USAGE})`);
  }
  const scopes = stringOption(parsed, 'scopes')
    ?? (grantTypes.includes('authorization_code') ? 'openid profile email offline_access' : '');

  const provider = await cliProvider(cli);
  let registered;
  try {
    registered = await registerClient(provider, {
      name,
      redirectUris,
      postLogoutRedirectUris: listOption(parsed, 'post-logout-redirect-uri'),
      grantTypes,
      scopes,
      isPublic,
      pkceOptional: pkce === 'optional',
      resources: listOption(parsed, 'resource'),
      idTokenAlg: stringOption(parsed, 'id-token-alg'),
      authMethod: stringOption(parsed, 'auth-method'),
    });
  } catch (error) {
    const description = (error as { error_description?: string }).error_description ?? (error as Error).message;
    const hint = /supported scope/.test(description)
      ? '; API scopes must first be declared under resources.<url>.scopes in the config'
      : '';
    throw new CliError(`invalid client: ${description}${hint}`);
  }
  const now = new Date();
  await adminAction(cli, { type: 'client.created', clientId: registered.clientId, data: { after: auditedMetadata(registered.metadata) } },
    async () => (await cli.store()).clients.create({ clientId: registered.clientId, metadata: registered.metadata, createdAt: now, updatedAt: now }));
  cli.printJson({
    ...publicMetadata(registered.metadata),
    ...(registered.clientSecret ? { client_secret: registered.clientSecret } : {}),
  });
}

export async function clientsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add':
      await addClient(cli, rest);
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
      await adminAction(cli, { type: 'client.removed', clientId, data: { before: auditedMetadata(existing.metadata), consentsRemoved: true } }, async () => {
        if (!await store.clients.remove(clientId)) throw new CliError(`no client with id ${clientId}`);
        await store.consents.removeForClient(clientId);
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

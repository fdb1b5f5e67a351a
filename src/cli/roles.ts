import {
  createRole, grantRole, listRoles, removeRole, requireGroup, requireRole, revokeRole, updateRole, type RoleChanges,
} from '../authorization/authorization-administration.ts';
import { isBuiltInRoleId } from '../authorization/built-in-roles.ts';
import { requireClient } from '../oidc/client-administration.ts';
import type { AccountRecord, RoleHolder, RoleRecord, Store } from '../store/store.ts';
import { authorizationAdministration } from './authorization-context.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { listOption, parseArguments, requirePositional, stringOption, type ParsedArguments } from './parse-arguments.ts';

export const ROLES_HELP = `keyline roles <command>

  add <name> --resource URL --permissions "a b"
                          a role on an API resource: its permissions are scopes of that API
  add <name> --global     a global role: a label with no permissions (claims: roles)
      --description TEXT
  list [--json]           every role, Keyline's own (keyline-admin, keyline-helpdesk, keyline-viewer) first
  show <name>             the role, with who holds it (users, groups, clients)
  update <name> [--name NEW] [--permissions "a b"] [--description TEXT]
                          rename it, replace its permissions, or change its description ("" removes it)
  remove <name>           delete the role and every grant of it
  grant <role> --user EMAIL | --group NAME | --client ID
                          give the role to a person, to every member of a group, or to a machine client
  revoke <role> --user EMAIL | --group NAME | --client ID
                          take it away

Keyline's own roles (on the admin API) cannot be changed or removed; grant them to people or groups.
Every change is audited, and each person whose roles change is announced to shared-signals
receivers (CAEP token-claims-change); tokens already issued keep their claims until refreshed.`;

const HOLDER_OPTIONS = { user: { type: 'string' }, group: { type: 'string' }, client: { type: 'string' } } as const;

/** --permissions "a b" or "a,b" (or given more than once). */
function permissionsOf(parsed: ParsedArguments): string[] {
  return listOption(parsed, 'permissions').flatMap((entry) => entry.split(/\s+/)).filter(Boolean);
}

/** The one holder named by --user, --group or --client, as it exists now. */
async function holderOf(cli: CliContext, store: Store, parsed: ParsedArguments, usage: string): Promise<{ holder: RoleHolder; about?: AccountRecord; shown: string }> {
  const given = (['user', 'group', 'client'] as const).filter((kind) => parsed.values[kind] !== undefined);
  if (given.length !== 1) throw new UsageError(`name exactly one of --user, --group or --client (usage: ${usage})`);
  const kind = given[0]!;
  const value = stringOption(parsed, kind) ?? '';
  if (kind === 'user') {
    const account = await (await cli.accounts()).requireByEmail(value);
    return { holder: { kind, id: account.id }, about: account, shown: `user ${account.email}` };
  }
  if (kind === 'group') {
    const group = await requireGroup(store, value);
    return { holder: { kind, id: group.id }, shown: `group ${group.name}` };
  }
  return { holder: { kind, id: (await requireClient(store, value)).clientId }, shown: `client ${value}` };
}

function roleShown(role: RoleRecord) {
  return {
    id: role.id, name: role.name, resource: role.resource, permissions: role.permissions, description: role.description, builtIn: isBuiltInRoleId(role.id),
  };
}

async function holderName(store: Store, holder: RoleHolder): Promise<string> {
  if (holder.kind === 'user') return (await store.accounts.findById(holder.id))?.email ?? holder.id;
  if (holder.kind === 'group') return (await store.groups.find(holder.id))?.name ?? holder.id;
  return holder.id;
}

export async function rolesCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const store = await cli.store();
  const issuer = cli.config.issuer;
  switch (action) {
    case 'add': {
      const usage = 'keyline roles add <name> (--resource URL --permissions "a b" | --global) [--description TEXT]';
      const parsed = parseArguments(rest, {
        resource: { type: 'string' }, permissions: { type: 'string', multiple: true }, global: { type: 'boolean' }, description: { type: 'string' },
      }, usage);
      const name = requirePositional(parsed, 0, 'name', usage);
      const resource = stringOption(parsed, 'resource');
      if ((resource === undefined) === (parsed.values.global !== true)) throw new UsageError(`give either --resource URL or --global (usage: ${usage})`);
      const role = await createRole(await authorizationAdministration(cli), {
        name, resource: resource ?? null, permissions: permissionsOf(parsed), description: stringOption(parsed, 'description') || null,
      });
      cli.printJson(roleShown(role));
      return;
    }
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline roles list [--json]');
      const roles = (await listRoles(store, issuer)).map(roleShown);
      if (parsed.values.json) cli.printJson(roles);
      else for (const role of roles) cli.print(`${role.name}\t${role.resource ?? '(global)'}\t${role.permissions.join(' ')}\t${role.builtIn ? '(built in)' : role.id}`);
      return;
    }
    case 'show': {
      const usage = 'keyline roles show <name>';
      const role = await requireRole(store, issuer, requirePositional(parseArguments(rest, {}, usage), 0, 'name', usage));
      const grants = await Promise.all((await store.roles.grantsOf(role.id)).map(async (grant) => ({
        kind: grant.holder.kind, id: grant.holder.id, name: await holderName(store, grant.holder), grantedAt: grant.createdAt.toISOString(),
      })));
      cli.printJson({ ...roleShown(role), grants });
      return;
    }
    case 'update': {
      const usage = 'keyline roles update <name> [--name NEW] [--permissions "a b"] [--description TEXT]';
      const parsed = parseArguments(rest, { name: { type: 'string' }, permissions: { type: 'string', multiple: true }, description: { type: 'string' } }, usage);
      const role = await requireRole(store, issuer, requirePositional(parsed, 0, 'name', usage));
      const changes: RoleChanges = {};
      if (parsed.values.name !== undefined) changes.name = stringOption(parsed, 'name');
      if (parsed.values.permissions !== undefined) changes.permissions = permissionsOf(parsed);
      if (parsed.values.description !== undefined) changes.description = stringOption(parsed, 'description') || null;
      if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${usage})`);
      cli.printJson(roleShown(await updateRole(await authorizationAdministration(cli), role, changes)));
      return;
    }
    case 'remove': {
      const usage = 'keyline roles remove <name>';
      const role = await requireRole(store, issuer, requirePositional(parseArguments(rest, {}, usage), 0, 'name', usage));
      await removeRole(await authorizationAdministration(cli), role);
      cli.print(`removed role ${role.name} and every grant of it`);
      return;
    }
    case 'grant':
    case 'revoke': {
      const usage = `keyline roles ${action} <role> --user EMAIL | --group NAME | --client ID`;
      const parsed = parseArguments(rest, HOLDER_OPTIONS, usage);
      const role = await requireRole(store, issuer, requirePositional(parsed, 0, 'role', usage));
      const { holder, about, shown } = await holderOf(cli, store, parsed, usage);
      const administration = await authorizationAdministration(cli);
      if (action === 'grant') {
        const granted = await grantRole(administration, role, holder, about);
        cli.print(granted ? `granted ${role.name} to ${shown}` : `${shown} already holds ${role.name}`);
      } else {
        const revoked = await revokeRole(administration, role, holder, about);
        cli.print(revoked ? `revoked ${role.name} from ${shown}` : `${shown} did not hold ${role.name} directly; nothing changed`);
      }
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "roles ${action}"; see keyline roles --help` : ROLES_HELP);
  }
}

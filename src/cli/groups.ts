import {
  addGroupMember, createGroup, listRoles, membersOf, removeGroup, removeGroupMember, requireGroup, updateGroup, type GroupChanges,
} from '../authorization/authorization-administration.ts';
import type { GroupRecord, Store } from '../store/store.ts';
import { authorizationAdministration } from './authorization-context.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { parseArguments, requirePositional, stringOption } from './parse-arguments.ts';

export const GROUPS_HELP = `keyline groups <command>

  add <name> [--parent NAME] [--description TEXT]
                          create a group; members of a group count as members of its parent (and so on up)
  list [--json]           the groups, by name, with their parents
  show <name>             the group: parent, child groups, members and the roles granted to it
  update <name> [--name NEW] [--parent NAME | --no-parent] [--description TEXT]
                          rename it, move it (a cycle is refused), or change its description ("" removes it)
  remove <name>           delete the group with its memberships and grants (not while it has child groups)
  add-member <group> <email>     make the user a member
  remove-member <group> <email>  take the user out

Names: letters, digits, '.', '_', ':' or '-', at most 64; they go into tokens (the groups claim).
Every change is audited, and each person whose groups change is announced to shared-signals
receivers (CAEP token-claims-change); tokens already issued keep their claims until refreshed.`;

async function groupShown(store: Store, group: GroupRecord) {
  const parent = group.parentId ? await store.groups.find(group.parentId) : undefined;
  return {
    id: group.id, name: group.name, parent: parent?.name ?? null, description: group.description,
    createdAt: group.createdAt.toISOString(), updatedAt: group.updatedAt.toISOString(),
  };
}

export async function groupsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const store = await cli.store();
  switch (action) {
    case 'add': {
      const usage = 'keyline groups add <name> [--parent NAME] [--description TEXT]';
      const parsed = parseArguments(rest, { parent: { type: 'string' }, description: { type: 'string' } }, usage);
      const group = await createGroup(await authorizationAdministration(cli), {
        name: requirePositional(parsed, 0, 'name', usage), parent: stringOption(parsed, 'parent') ?? null, description: stringOption(parsed, 'description') || null,
      });
      cli.printJson(await groupShown(store, group));
      return;
    }
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline groups list [--json]');
      const groups = await store.groups.list();
      const names = new Map(groups.map((group) => [group.id, group.name]));
      const shown = groups.sort((a, b) => (a.name < b.name ? -1 : 1)).map((group) => ({
        id: group.id, name: group.name, parent: group.parentId ? names.get(group.parentId) ?? null : null, description: group.description,
      }));
      if (parsed.values.json) cli.printJson(shown);
      else if (shown.length === 0) cli.print('no groups');
      else for (const group of shown) cli.print(`${group.name}\t${group.parent ? `parent: ${group.parent}` : '(top level)'}\t${group.description ?? ''}\t${group.id}`);
      return;
    }
    case 'show': {
      const usage = 'keyline groups show <name>';
      const group = await requireGroup(store, requirePositional(parseArguments(rest, {}, usage), 0, 'name', usage));
      const [children, memberIds, grants, roles] = await Promise.all([
        store.groups.children(group.id), membersOf(store, [group.id]), store.roles.grantsTo([{ kind: 'group', id: group.id }]), listRoles(store, cli.config.issuer),
      ]);
      const members = await Promise.all(memberIds.map((id) => store.accounts.findById(id)));
      const granted = new Set(grants.map((grant) => grant.roleId));
      cli.printJson({
        ...await groupShown(store, group),
        children: children.map((child) => child.name).sort(),
        members: members.flatMap((account) => (account ? [account.email] : [])).sort(),
        roles: roles.filter((role) => granted.has(role.id)).map((role) => role.name).sort(),
      });
      return;
    }
    case 'update': {
      const usage = 'keyline groups update <name> [--name NEW] [--parent NAME | --no-parent] [--description TEXT]';
      const parsed = parseArguments(rest, { name: { type: 'string' }, parent: { type: 'string' }, 'no-parent': { type: 'boolean' }, description: { type: 'string' } }, usage);
      const group = await requireGroup(store, requirePositional(parsed, 0, 'name', usage));
      const changes: GroupChanges = {};
      if (parsed.values.name !== undefined) changes.name = stringOption(parsed, 'name');
      // --no-parent arrives as parent: false.
      if (parsed.values.parent === false) changes.parent = null;
      else if (parsed.values.parent !== undefined) changes.parent = stringOption(parsed, 'parent');
      if (parsed.values.description !== undefined) changes.description = stringOption(parsed, 'description') || null;
      if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change (usage: ${usage})`);
      cli.printJson(await groupShown(store, await updateGroup(await authorizationAdministration(cli), group, changes)));
      return;
    }
    case 'remove': {
      const usage = 'keyline groups remove <name>';
      const group = await requireGroup(store, requirePositional(parseArguments(rest, {}, usage), 0, 'name', usage));
      await removeGroup(await authorizationAdministration(cli), group);
      cli.print(`removed group ${group.name}, its memberships and the roles granted to it`);
      return;
    }
    case 'add-member':
    case 'remove-member': {
      const usage = `keyline groups ${action} <group> <email>`;
      const parsed = parseArguments(rest, {}, usage);
      const group = await requireGroup(store, requirePositional(parsed, 0, 'group', usage));
      const account = await (await cli.accounts()).requireByEmail(requirePositional(parsed, 1, 'email', usage));
      const administration = await authorizationAdministration(cli);
      if (action === 'add-member') {
        const added = await addGroupMember(administration, group, account);
        cli.print(added ? `${account.email} is now a member of ${group.name}` : `${account.email} already is a member of ${group.name}`);
      } else {
        const removed = await removeGroupMember(administration, group, account);
        cli.print(removed ? `${account.email} is no longer a member of ${group.name}` : `${account.email} was not a member of ${group.name}`);
      }
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "groups ${action}"; see keyline groups --help` : GROUPS_HELP);
  }
}

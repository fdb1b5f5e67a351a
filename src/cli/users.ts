import { randomUUID } from 'node:crypto';
import { normalizeEmail } from '../accounts/accounts-service.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { parseArguments, requirePositional, stringOption } from './parse-arguments.ts';
import { readPassword } from './read-password.ts';

export const USERS_HELP = `keyline users <command>

  add <email> [--name "Full Name"]   create a user; the password is read from stdin
  list [--json]                      list users (never their password hashes)
  set-password <email>               set a new password from stdin; ends all their sessions
  disable <email>                    block sign-in; ends all their sessions and grants
  enable <email>                     allow sign-in again (and lift any sign-in locks)
  unlock <email>                     forget failed sign-in attempts and locks for this email, from every IP`;

export async function usersCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const accounts = await cli.accounts();
  switch (action) {
    case 'add': {
      const usage = 'keyline users add <email> [--name "Full Name"]';
      const parsed = parseArguments(rest, { name: { type: 'string' } }, usage);
      const email = normalizeEmail(requirePositional(parsed, 0, 'email', usage));
      const password = await readPassword(cli.io);
      const name = stringOption(parsed, 'name') ?? null;
      const id = randomUUID();
      const account = await adminAction(cli, { type: 'user.created', accountId: id, email, data: { after: { email, name } } },
        () => accounts.create(email, password, name, id));
      cli.printJson({ id: account.id, email: account.email, name: account.name });
      return;
    }
    case 'list': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline users list [--json]');
      const users = (await (await cli.store()).accounts.list()).map((account) => ({
        id: account.id,
        email: account.email,
        name: account.name,
        disabled: account.disabled,
        createdAt: account.createdAt.toISOString(),
      }));
      if (parsed.values.json) {
        cli.printJson(users);
      } else if (users.length === 0) {
        cli.print('no users');
      } else {
        for (const user of users) cli.print(`${user.email}\t${user.name ?? ''}\t${user.disabled ? 'disabled' : 'active'}\t${user.id}`);
      }
      return;
    }
    case 'set-password': {
      const usage = 'keyline users set-password <email>';
      const email = requirePositional(parseArguments(rest, {}, usage), 0, 'email', usage);
      const password = await readPassword(cli.io);
      const existing = await accounts.requireByEmail(email);
      const account = await adminAction(cli, { type: 'user.password_changed', accountId: existing.id, email: existing.email, data: { sessionsRevoked: true } },
        () => accounts.setPassword(email, password));
      cli.print(`password changed for ${account.email}; their sessions and grants were revoked`);
      return;
    }
    case 'disable':
    case 'enable': {
      const usage = `keyline users ${action} <email>`;
      const email = requirePositional(parseArguments(rest, {}, usage), 0, 'email', usage);
      const existing = await accounts.requireByEmail(email);
      const disabled = action === 'disable';
      const account = await adminAction(cli, {
        type: disabled ? 'user.disabled' : 'user.enabled', accountId: existing.id, email: existing.email,
        data: { before: { disabled: existing.disabled }, after: { disabled } },
      }, () => accounts.setDisabled(email, disabled));
      cli.print(action === 'disable' ? `${account.email} disabled; their sessions and grants were revoked` : `${account.email} enabled`);
      return;
    }
    case 'unlock': {
      const usage = 'keyline users unlock <email>';
      const email = normalizeEmail(requirePositional(parseArguments(rest, {}, usage), 0, 'email', usage));
      const existing = await accounts.findByEmail(email);
      await adminAction(cli, { type: 'user.unlocked', email, ...(existing ? { accountId: existing.id } : {}) }, () => accounts.unlock(email));
      cli.print(`sign-in locks and failed attempts cleared for ${email}`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "users ${action}"; see keyline users --help` : USERS_HELP);
  }
}

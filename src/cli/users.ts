import { accountView } from '../accounts/account-view.ts';
import { normalizeEmail } from '../accounts/accounts-service.ts';
import {
  createUser, removeUser, resetUserSecondFactors, setUserPassword, unlockUser, updateUser, verifyUserEmail, type UserAdministration,
} from '../accounts/user-administration.ts';
import { ActionLinks } from '../accounts/self-service/action-links.ts';
import { attributeFromText, requireDeclared, type AttributeChange } from '../authorization/attributes.ts';
import type { AttributeDeclaration } from '../config/schema.ts';
import { issueResetLink } from '../accounts/self-service/reset-link.ts';
import { accessReport, type RoleSource } from '../authorization/access-report.ts';
import { linkedIdentities, unlinkIdentity } from '../federation/linked-identities.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './cli-error.ts';
import { confirmDestructive } from './confirm.ts';
import { parseArguments, requirePositional, stringOption } from './parse-arguments.ts';
import { PROFILE_HELP, PROFILE_OPTIONS, profileChangeFromOptions } from './profile-options.ts';
import { readPassword } from './read-password.ts';

export const USERS_HELP = `keyline users <command>

  add <email> [--name "Full Name"] [--verified] [--attribute name=value]... [claims]
                                     create a user; the password is read from stdin
      --verified                        you vouch for the address (email_verified: true)
      --attribute name=value            a custom attribute (config attributes:), repeatable; every required one
                                        must be given
${PROFILE_HELP}
  list [--json]                      list users (never their password hashes)
  show <email>                       the user, their standard claims, their second factors (type, name,
                                     created, last used; never secrets), how many recovery codes are unused,
                                     their groups (inherited ones included) and roles (and where each comes from)
  update <email> [--name "Full Name"] [claims] [--disabled|--enabled]
                                     change the name and the standard claims (the options of add; "" removes one);
                                     --disabled also ends all their sessions and grants
  set-attribute <email> <name> <value>
                                     set a custom attribute, read as its declared type (true/false, a number,
                                     YYYY-MM-DD; a list as a JSON array or comma-separated)
  unset-attribute <email> <name>     remove a custom attribute (never a required one)
  verify <email>                     mark the email as verified (you vouch for the address)
  reset-link <email>                 print a one-time password-reset link (ttl.resetLink) to hand over,
                                     for when mail is off; completing it signs them out everywhere
  set-password <email>               set a new password from stdin; ends all their sessions
  disable <email>                    block sign-in; ends all their sessions and grants
  enable <email>                     allow sign-in again (and lift any sign-in locks)
  unlock <email>                     forget failed sign-in attempts and locks for this email, from every IP
  reset-mfa <email> [--yes]          remove their second factors and recovery codes and sign them out everywhere,
                                     for a user who lost them (asks to confirm)
  identities <email>                 the upstream identities linked to the user (upstream, subject, linked, last used)
  unlink <email> <upstream> <subject>
                                     remove one linked upstream identity (even the last way in: the user then needs
                                     a password reset or a new link)
  remove <email> [--yes]             delete the user with their sessions, grants, tokens, second factors,
                                     recovery codes, consents and linked identities (asks to confirm)`;

/** The person's groups (inherited ones included) and roles, each role with where it comes from. */
async function accessShown(cli: CliContext, accountId: string) {
  const { groups, roles } = await accessReport(await cli.store(), cli.config.issuer, accountId);
  const from = (role: RoleSource) => [...(role.direct ? ['direct'] : []), ...role.groups.map((group) => `group ${group}`)].join(', ');
  return { groups, roles: roles.map((role) => `${role.name} (${from(role)})`) };
}

export async function usersCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const accounts = await cli.accounts();
  const administration: UserAdministration = { accounts, audited: (event, change) => adminAction(cli, event, change), attributes: cli.config.attributes };
  const userNamed = async (usage: string, options: Parameters<typeof parseArguments>[1] = {}) => {
    const parsed = parseArguments(rest, options, usage);
    return { parsed, account: await accounts.requireByEmail(requirePositional(parsed, 0, 'email', usage)) };
  };
  switch (action) {
    case 'add': {
      const usage = 'keyline users add <email> [--name "Full Name"] [--verified] [--attribute name=value]... [claims]';
      const parsed = parseArguments(rest, {
        name: { type: 'string' }, verified: { type: 'boolean' }, attribute: { type: 'string', multiple: true }, ...PROFILE_OPTIONS,
      }, usage);
      const email = normalizeEmail(requirePositional(parsed, 0, 'email', usage));
      const attributes = attributesFromOptions(cli.config.attributes, parsed.values.attribute, usage);
      const password = await readPassword(cli.io);
      const account = await createUser(administration, {
        email, password, name: stringOption(parsed, 'name') ?? null, emailVerified: parsed.values.verified === true, profile: profileChangeFromOptions(parsed),
        attributes,
      });
      cli.printJson(accountView(account));
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
    case 'show': {
      const { account } = await userNamed('keyline users show <email>');
      cli.printJson({ ...accountView(account), ...await accounts.secondFactors(account.id), ...await accessShown(cli, account.id) });
      return;
    }
    case 'update': {
      const usage = 'keyline users update <email> [--name "Full Name"] [claims] [--disabled|--enabled]';
      const { parsed, account } = await userNamed(usage, { name: { type: 'string' }, disabled: { type: 'boolean' }, enabled: { type: 'boolean' }, ...PROFILE_OPTIONS });
      if (parsed.values.disabled && parsed.values.enabled) throw new UsageError(`--disabled and --enabled contradict each other (usage: ${usage})`);
      const name = stringOption(parsed, 'name');
      const profile = profileChangeFromOptions(parsed);
      const disabled = parsed.values.disabled ? true : parsed.values.enabled ? false : undefined;
      if (name === undefined && !profile && disabled === undefined) throw new UsageError(`nothing to change (usage: ${usage})`);
      cli.printJson(accountView(await updateUser(administration, account, { name, profile, disabled })));
      return;
    }
    case 'set-attribute': {
      const usage = 'keyline users set-attribute <email> <name> <value>';
      const { parsed, account } = await userNamed(usage);
      const name = requirePositional(parsed, 1, 'name', usage);
      if (parsed.positionals[2] === undefined) throw new UsageError(`missing <value> (usage: ${usage})`);
      const value = attributeFromText(requireDeclared(cli.config.attributes, name), parsed.positionals[2]);
      cli.printJson(accountView(await updateUser(administration, account, { attributes: { [name]: value } })));
      return;
    }
    case 'unset-attribute': {
      const usage = 'keyline users unset-attribute <email> <name>';
      const { parsed, account } = await userNamed(usage);
      const name = requirePositional(parsed, 1, 'name', usage);
      cli.printJson(accountView(await updateUser(administration, account, { attributes: { [name]: null } })));
      return;
    }
    case 'verify': {
      const { account } = await userNamed('keyline users verify <email>');
      await verifyUserEmail(administration, account);
      cli.print(`${account.email} is verified (email_verified: true)`);
      return;
    }
    case 'reset-link': {
      const { account } = await userNamed('keyline users reset-link <email>');
      const store = await cli.store();
      const link = await adminAction(cli, { type: 'password.reset_link_issued', accountId: account.id, email: account.email },
        () => issueResetLink(new ActionLinks(store), cli.config.issuer, cli.config.ttl.resetLink, account));
      cli.print(link);
      cli.io.stderr.write(`a one-time reset link for ${account.email}, valid for ${Math.round(cli.config.ttl.resetLink / 60)} minutes: hand it over privately\n`);
      return;
    }
    case 'set-password': {
      const { account } = await userNamed('keyline users set-password <email>');
      const password = await readPassword(cli.io);
      await setUserPassword(administration, account, password);
      cli.print(`password changed for ${account.email}; their sessions and grants were revoked`);
      return;
    }
    case 'disable':
    case 'enable': {
      const { account } = await userNamed(`keyline users ${action} <email>`);
      const updated = await updateUser(administration, account, { disabled: action === 'disable' });
      cli.print(action === 'disable' ? `${updated.email} disabled; their sessions and grants were revoked` : `${updated.email} enabled`);
      return;
    }
    case 'unlock': {
      const usage = 'keyline users unlock <email>';
      const email = normalizeEmail(requirePositional(parseArguments(rest, {}, usage), 0, 'email', usage));
      await unlockUser(administration, email);
      cli.print(`sign-in locks and failed attempts cleared for ${email}`);
      return;
    }
    case 'reset-mfa': {
      const { parsed, account } = await userNamed('keyline users reset-mfa <email> [--yes]', { yes: { type: 'boolean' } });
      await confirmDestructive(cli, parsed.values.yes === true, `resetting ${account.email}'s second factors removes their factors and recovery codes and signs them out everywhere`);
      const { factors, sessionRecords } = await resetUserSecondFactors(administration, account);
      cli.print(`removed ${factors} second factor(s) and the recovery codes of ${account.email}, and signed them out everywhere (${sessionRecords} sessions, grants and tokens)`);
      return;
    }
    case 'identities': {
      const { account } = await userNamed('keyline users identities <email>');
      const links = await linkedIdentities(await cli.store(), account.id);
      if (!links.length) cli.print(`${account.email} has no linked identities`);
      for (const link of links) {
        cli.print(`${link.upstreamId}\t${link.subject}\tlinked ${link.linkedAt.toISOString()}\tlast used ${link.lastSignInAt?.toISOString() ?? 'never'}`);
      }
      return;
    }
    case 'unlink': {
      const usage = 'keyline users unlink <email> <upstream> <subject>';
      const { parsed, account } = await userNamed(usage);
      const upstream = requirePositional(parsed, 1, 'upstream', usage);
      const subject = requirePositional(parsed, 2, 'subject', usage);
      const store = await cli.store();
      await administration.audited({ type: 'federation.unlinked', accountId: account.id, email: account.email, data: { upstream, subject, during: 'admin' } }, async () => {
        const outcome = await unlinkIdentity(store, account, upstream, subject, { allowLast: true });
        if (outcome === 'not_found') throw new UsageError(`${account.email} has no identity ${subject} at ${upstream} (see keyline users identities ${account.email})`);
        if (outcome === 'busy') throw new UsageError('another change to this user\'s sign-in methods is under way; try again');
      });
      cli.print(`unlinked ${upstream} identity ${subject} from ${account.email}`);
      return;
    }
    case 'remove': {
      const { parsed, account } = await userNamed('keyline users remove <email> [--yes]', { yes: { type: 'boolean' } });
      await confirmDestructive(cli, parsed.values.yes === true, `removing ${account.email} deletes the user with their sessions, tokens, second factors and consents`);
      const { factors, sessionRecords } = await removeUser(administration, account);
      cli.print(`removed ${account.email} (${sessionRecords} sessions, grants and tokens, ${factors} second factor(s))`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "users ${action}"; see keyline users --help` : USERS_HELP);
  }
}

/** `--attribute name=value`, each read as its declared type (an unknown name is left for the check to name). */
function attributesFromOptions(declarations: readonly AttributeDeclaration[], given: unknown, usage: string): AttributeChange {
  const attributes: AttributeChange = {};
  for (const option of Array.isArray(given) ? given as string[] : []) {
    const split = option.indexOf('=');
    if (split <= 0) throw new UsageError(`--attribute takes name=value, not "${option}" (usage: ${usage})`);
    const name = option.slice(0, split);
    const declaration = declarations.find((candidate) => candidate.name === name);
    attributes[name] = declaration ? attributeFromText(declaration, option.slice(split + 1)) : option.slice(split + 1);
  }
  return attributes;
}

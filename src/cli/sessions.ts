import { revokeUserSessions } from '../accounts/user-administration.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { confirmDestructive } from './confirm.ts';
import { adminAction } from './admin-action.ts';
import { parseArguments, requirePositional } from './parse-arguments.ts';

export const SESSIONS_HELP = `keyline sessions <command>

  list <email> [--json]                  show the user's live sessions (with the uid of each)
  revoke <email> [--yes]                 sign the user out everywhere: sessions, grants and refresh tokens end now (asks to confirm)
  revoke <email> --session=UID [--yes]   end one session and the grants it holds (=: a UID may start with -)

  The applications signed in there hear of it: a logout token to each back-channel logout URI and a
  shared-signals session-revoked, delivered by a running server from the outbox (keyline jobs list).`;

export async function sessionsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const accounts = await cli.accounts();
  switch (action) {
    case 'list': {
      const usage = 'keyline sessions list <email> [--json]';
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, usage);
      const account = await accounts.requireByEmail(requirePositional(parsed, 0, 'email', usage));
      const sessions = await accounts.listSessions(account.id);
      if (parsed.values.json) {
        cli.printJson(sessions);
      } else if (sessions.length === 0) {
        cli.print(`no live sessions for ${account.email}`);
      } else {
        for (const s of sessions) cli.print(`${s.uid ?? '-'}\t${s.createdAt}\tlast seen ${s.lastSeenAt}\t${s.ip ?? '-'}\t${s.userAgent ?? '-'}`);
      }
      return;
    }
    case 'revoke': {
      const usage = 'keyline sessions revoke <email> [--session=UID] [--yes]';
      const parsed = parseArguments(rest, { yes: { type: 'boolean' }, session: { type: 'string' } }, usage);
      const account = await accounts.requireByEmail(requirePositional(parsed, 0, 'email', usage));
      const sessionUid = typeof parsed.values.session === 'string' ? parsed.values.session : undefined;
      if (sessionUid !== undefined) {
        await confirmDestructive(cli, parsed.values.yes === true, `this ends that session of ${account.email} and the grants and refresh tokens it holds`);
        const ended = await adminAction(cli, { type: 'sessions.revoked', accountId: account.id, email: account.email, data: { scope: 'session', sessionUid } },
          () => accounts.endSession(account.id, sessionUid));
        if (!ended) throw new CliError(`${account.email} has no live session ${sessionUid} (see keyline sessions list ${account.email})`);
        cli.print(`ended session ${sessionUid} of ${account.email}`);
        return;
      }
      await confirmDestructive(cli, parsed.values.yes === true, `signing ${account.email} out everywhere ends every session, grant and refresh token they have`);
      const removed = await revokeUserSessions({ accounts, audited: (event, change) => adminAction(cli, event, change) }, account);
      cli.print(`signed ${account.email} out everywhere (${removed} sessions, grants and tokens removed)`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "sessions ${action}"; see keyline sessions --help` : SESSIONS_HELP);
  }
}

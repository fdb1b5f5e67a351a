import type { AccountContext, AccountDeps } from '../account-context.ts';
import { describeDevice } from './describe-device.ts';

export const SESSION_NOTICES = ['ended', 'others_ended'] as const;

/** The account's live sessions, this one first and marked, each with its device, place and times. */
export async function renderSessionsPage(deps: AccountDeps, ctx: AccountContext): Promise<void> {
  const { account, sessionUid, csrfToken } = ctx.state.signedIn!;
  const sessions = (await deps.accounts.listSessions(account.id))
    .filter((session) => session.uid !== null)
    .map((session) => ({
      uid: session.uid!,
      current: session.uid === sessionUid,
      device: describeDevice(session.userAgent),
      ip: session.ip,
      createdAt: session.createdAt ? new Date(session.createdAt) : null,
      lastSeenAt: session.lastSeenAt ? new Date(session.lastSeenAt) : null,
      apps: session.clients.length,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
  const done = typeof ctx.query.done === 'string' && (SESSION_NOTICES as readonly string[]).includes(ctx.query.done) ? ctx.query.done : undefined;
  deps.pages.render(ctx, 'account-sessions', { page: 'sessions', csrfToken, email: account.email, sessions, done });
}

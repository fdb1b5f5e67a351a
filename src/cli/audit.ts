import { verifyAuditChain } from '../audit/verify-audit-chain.ts';
import { eventsAboutUser } from '../audit/events-about-user.ts';
import type { AuditEventRecord } from '../store/store.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { parseArguments, stringOption } from './parse-arguments.ts';

export const AUDIT_HELP = `keyline audit <command>

  verify [--json]       check the whole hash chain and its signed checkpoints; names the first
                        broken link (an event edited, deleted or forged) and exits 1 when there is one
  list [--user EMAIL] [--type TYPE] [--since DATE] [--limit N] [--json]
                        security events, oldest first (the newest N, 100 by default)`;

function describeEvent(event: AuditEventRecord): string {
  const who = [event.email, event.accountId && !event.email ? event.accountId : null, event.clientId ? `client ${event.clientId}` : null].filter(Boolean).join(' ');
  return `${event.occurredAt.toISOString()}\t${event.seq ?? '-'}\t${event.type}\t${event.actor}\t${who}\t${JSON.stringify(event.data)}`;
}

export async function auditCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const store = await cli.store();
  switch (action) {
    case 'verify': {
      const parsed = parseArguments(rest, { json: { type: 'boolean' } }, 'keyline audit verify [--json]');
      const keys = await cli.signingKeys();
      await keys.refresh({ maintain: false });
      const report = await verifyAuditChain(store, keys.allPublicJwks());
      if (parsed.values.json) cli.printJson(report);
      if (report.broken) {
        const { seq, event, reason } = report.broken;
        const at = event ? `seq ${seq} (${event.type}, ${event.occurredAt.toISOString()}, id ${event.id})` : `seq ${seq}`;
        throw new CliError(`audit chain broken at ${at}: ${reason}`);
      }
      if (!parsed.values.json) {
        cli.print(report.verifiedEvents === 0
          ? `audit chain ok: no linked events yet${report.unsealed ? ` (${report.unsealed} waiting to be linked)` : ''}`
          : `audit chain ok: ${report.verifiedEvents} events, seq ${report.firstSeq}–${report.lastSeq}, ${report.checkpoints} signed checkpoints`
            + `${report.unsealed ? `, ${report.unsealed} newer events waiting to be linked` : ''}`);
      }
      return;
    }
    case 'list': {
      const usage = 'keyline audit list [--user EMAIL] [--type TYPE] [--since DATE] [--limit N] [--json]';
      const parsed = parseArguments(rest, {
        user: { type: 'string' }, type: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
      }, usage);
      const sinceText = stringOption(parsed, 'since');
      const since = sinceText === undefined ? undefined : new Date(sinceText);
      if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: "${sinceText}" is not a date (use e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`);
      const limitText = stringOption(parsed, 'limit') ?? '100';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit takes a whole number from 1 to 10000');
      const email = stringOption(parsed, 'user');
      const events = (await store.audit.query({
        ...(email ? await eventsAboutUser(store, email) : {}),
        type: stringOption(parsed, 'type'),
        since,
        limit,
      })).reverse();
      if (parsed.values.json) cli.printJson(events);
      else if (events.length === 0) cli.print('no matching audit events');
      else for (const event of events) cli.print(describeEvent(event));
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "audit ${action}"; see keyline audit --help` : AUDIT_HELP);
  }
}

import type { JobRecord } from '../store/store.ts';
import { adminAction } from './admin-action.ts';
import type { CliContext } from './cli-context.ts';
import { CliError, UsageError } from './cli-error.ts';
import { parseArguments, requirePositional, stringOption } from './parse-arguments.ts';

export const JOBS_HELP = `keyline jobs <command>

  list [--failed] [--limit N] [--json]  the outbox, newest first: back-channel logouts, shared signals, mail;
                                        --failed: those given up on (dead) and those waiting to retry
  retry <id>                            run a dead job (or one waiting for its next attempt) again now,
                                        with its attempts counted afresh

  Running servers deliver jobs; each failed attempt is retried with growing waits (jobs.retryBase,
  doubling up to jobs.retryMax) until jobs.maxAttempts, when the job is dead and kept here.`;

/** What an administrator sees of a job: never its payload, which may carry what a receiver must keep to itself. */
function shown(job: JobRecord) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    nextAttemptAt: job.state === 'pending' ? job.runAfter.toISOString() : null,
    lastError: job.lastError,
    lastWorkedBy: job.leaseHolder,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

export async function jobsCommand(cli: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const store = await cli.store();
  switch (action) {
    case 'list': {
      const usage = 'keyline jobs list [--failed] [--limit N] [--json]';
      const parsed = parseArguments(rest, { failed: { type: 'boolean' }, json: { type: 'boolean' }, limit: { type: 'string' } }, usage);
      const limitText = stringOption(parsed, 'limit') ?? '50';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit takes a whole number from 1 to 10000 (usage: ${usage})`);
      const jobs = (await store.jobs.list({ failedOnly: parsed.values.failed === true, limit })).map(shown);
      if (parsed.values.json) {
        cli.printJson(jobs);
      } else if (jobs.length === 0) {
        cli.print(parsed.values.failed ? 'no failed jobs' : 'the outbox is empty');
      } else {
        for (const job of jobs) {
          const when = job.nextAttemptAt ? `next ${job.nextAttemptAt}` : `at ${job.updatedAt}`;
          cli.print(`${job.id}\t${job.kind}\t${job.state}\t${job.attempts}/${job.maxAttempts}\t${when}\t${job.lastError ?? ''}`);
        }
      }
      return;
    }
    case 'retry': {
      const usage = 'keyline jobs retry <id>';
      const parsed = parseArguments(rest, {}, usage);
      const id = requirePositional(parsed, 0, 'id', usage);
      const job = await store.jobs.find(id);
      if (!job) throw new CliError(`no job with id ${id}`);
      const retried = await adminAction(cli, { type: 'job.retried', data: { jobId: id, kind: job.kind, state: job.state, attempts: job.attempts } },
        () => store.jobs.retry(id));
      if (!retried) throw new CliError(`job ${id} is ${job.state === 'done' ? 'done' : 'being worked on by a node right now'}; nothing to retry`);
      cli.print(`job ${id} (${job.kind}) is due again now; a running server picks it up`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown command "jobs ${action}"; see keyline jobs --help` : JOBS_HELP);
  }
}

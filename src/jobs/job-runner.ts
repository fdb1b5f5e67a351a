import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobsConfig } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import type { ClaimedJob, Jobs } from '../store/store.ts';
import { PermanentJobError, type JobHandler } from './job-handler.ts';
import { retryDelayMs } from './retry-backoff.ts';

export type JobOutcome = 'done' | 'retry' | 'dead';

/** Counts what happened to each attempt (implemented by the metrics). */
export interface JobObserver {
  countJob(kind: string, outcome: JobOutcome): void;
}

export interface JobRunnerOptions {
  jobs: Jobs;
  handlers: readonly JobHandler[];
  logger: Logger;
  config: JobsConfig;
  observer?: JobObserver;
  clock?: () => number;
}

const PURGE_EVERY_MS = 10 * 60_000;
const OUTAGE_LOG_EVERY_MS = 30_000;

/** The error as a short line for the job's record and the log; handlers' messages never carry secrets. */
function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 497)}...` : message;
}

/**
 * Works the outbox on this node: claims due jobs of the kinds it has handlers for (each claim is
 * one conditional write, so a job is worked by one node at a time), runs them, and records the
 * outcome. A failure is retried with exponential backoff; after `maxAttempts` the job is dead,
 * kept and listed by `keyline jobs list --failed`. A node that dies mid-job loses nothing: its
 * lease runs out and another node runs the job again (so handlers are idempotent).
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #handlers: Map<string, JobHandler>;
  readonly #kinds: string[];
  readonly #clock: () => number;
  readonly #holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #looking: Promise<void> | undefined;
  #lookAgain = false;
  #started = false;
  #lastPurgeAt = 0;
  #lastOutageLogAt = 0;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#handlers = new Map(options.handlers.map((handler) => [handler.kind, handler]));
    this.#kinds = [...this.#handlers.keys()];
    this.#clock = options.clock ?? Date.now;
  }

  /** Who this node is in the jobs' leaseHolder field. */
  get holder(): string {
    return this.#holder;
  }

  start(): void {
    if (this.#started || this.#stopping.signal.aborted) return;
    this.#started = true;
    this.nudge();
  }

  /** Looks for due jobs now rather than at the next interval (a job was just enqueued, or one finished). */
  nudge(): void {
    if (!this.#started || this.#stopping.signal.aborted) return;
    if (this.#looking) {
      this.#lookAgain = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#looking = this.#look().finally(() => {
      this.#looking = undefined;
      if (this.#lookAgain) {
        this.#lookAgain = false;
        this.nudge();
      } else {
        this.#schedule();
      }
    });
  }

  /** Stops claiming, asks running jobs to give up, and waits for them. What they left is run again elsewhere. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#looking;
    await Promise.all(this.#inFlight);
  }

  #schedule(): void {
    if (this.#stopping.signal.aborted) return;
    this.#timer = setTimeout(() => this.nudge(), this.#options.config.pollInterval * 1000);
    this.#timer.unref();
  }

  async #look(): Promise<void> {
    const { jobs, config, logger } = this.#options;
    try {
      while (!this.#stopping.signal.aborted && this.#inFlight.size < config.concurrency) {
        const job = await jobs.claim(this.#kinds, this.#holder, config.lease, new Date(this.#clock()));
        if (!job) break;
        const running: Promise<void> = this.#run(job).finally(() => {
          this.#inFlight.delete(running);
          this.nudge();
        });
        this.#inFlight.add(running);
      }
      await this.#purgeWhenDue();
    } catch (error) {
      const now = this.#clock();
      if (now - this.#lastOutageLogAt >= OUTAGE_LOG_EVERY_MS) {
        this.#lastOutageLogAt = now;
        logger.warn({ err: error }, 'the outbox could not be read; deliveries wait until the store answers');
      }
    }
  }

  async #run(job: ClaimedJob): Promise<void> {
    const { jobs, logger, observer, config } = this.#options;
    const handler = this.#handlers.get(job.kind)!;
    const fields = { event: 'job.attempt', jobId: job.id, kind: job.kind, attempt: job.attempts, maxAttempts: job.maxAttempts };
    try {
      if (job.attempts > job.maxAttempts) {
        throw new PermanentJobError(`its lease ran out ${job.attempts - 1} times: the nodes that took it stopped before finishing`);
      }
      await handler.run({
        id: job.id, kind: job.kind, payload: job.payload, attempt: job.attempts, maxAttempts: job.maxAttempts, signal: this.#stopping.signal,
      });
      if (await jobs.complete(job.id, job.leaseToken, new Date(this.#clock()))) {
        observer?.countJob(job.kind, 'done');
        logger.debug({ ...fields, event: 'job.done' }, `${job.kind} job done`);
      }
    } catch (error) {
      const reason = describeError(error);
      const now = this.#clock();
      const giveUp = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      const retryAt = giveUp ? null : new Date(now + retryDelayMs(job.attempts, config));
      try {
        if (!await jobs.fail(job.id, job.leaseToken, reason, retryAt, new Date(now))) return;
      } catch (storeError) {
        logger.warn({ ...fields, err: storeError }, `${job.kind} job failed and the failure could not be recorded; it runs again when its lease ends`);
        return;
      }
      observer?.countJob(job.kind, giveUp ? 'dead' : 'retry');
      if (giveUp) {
        logger.error({ ...fields, event: 'job.dead', reason }, `${job.kind} job given up after ${job.attempts} attempts: ${reason}`);
      } else {
        logger.warn({ ...fields, event: 'job.failed', reason, retryAt: retryAt!.toISOString() }, `${job.kind} job failed, retrying: ${reason}`);
      }
    }
  }

  async #purgeWhenDue(): Promise<void> {
    const now = this.#clock();
    if (now - this.#lastPurgeAt < PURGE_EVERY_MS) return;
    this.#lastPurgeAt = now;
    const { jobs, config } = this.#options;
    await jobs.purge('done', new Date(now - config.keepDone * 1000));
    await jobs.purge('dead', new Date(now - config.keepDead * 1000));
  }
}

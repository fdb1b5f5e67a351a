import type { z } from 'zod';

/** A claimed job as its handler sees it. */
export interface RunningJob {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the node stops: the handler should give up, and the job runs again elsewhere. */
  signal: AbortSignal;
}

/**
 * What a node does with one kind of job. Delivery is at least once (a node may stop after doing
 * the work and before recording it), so a handler must be safe to run twice for the same job.
 * Throwing means "try again later"; throwing PermanentJobError means "this cannot succeed".
 */
export interface JobHandler {
  kind: string;
  run(job: RunningJob): Promise<void>;
}

/** A failure no retry can cure (the job is then dead at once, and visible to admins). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** The job's payload as its handler's schema reads it; a payload that does not fit can never succeed. */
export function payloadOf<Schema extends z.ZodType>(job: RunningJob, schema: Schema, describes: string): z.infer<Schema> {
  const parsed = schema.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`the job does not describe ${describes}`);
  return parsed.data;
}

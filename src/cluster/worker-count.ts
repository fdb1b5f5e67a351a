import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.ts';

/** How many processes serve the port: `workers`, with "auto" meaning one per CPU this process may use. */
export function workerCount(workers: Config['workers'], cpus: () => number = availableParallelism): number {
  return workers === 'auto' ? cpus() : workers;
}

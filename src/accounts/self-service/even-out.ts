import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `floorMs` have passed since `startedAt`: an answer whose work differs with a secret
 * (does this address have an account?) then takes the same time either way, as long as the work
 * fits under the floor. bench/reset-timing.ts measures it.
 */
export async function evenOut(startedAt: number, floorMs: number): Promise<void> {
  const left = startedAt + floorMs - performance.now();
  if (left > 0) await sleep(left);
}

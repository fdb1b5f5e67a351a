export interface BackoffPolicy {
  /** Seconds before the first retry. */
  retryBase: number;
  /** The longest wait between two attempts, in seconds. */
  retryMax: number;
}

/**
 * How long to wait after the `attempt`-th failure: exponential (base, 2 × base, 4 × base, ...)
 * up to the cap, then spread by ±20 % so that the deliveries one outage failed together do not
 * all come back at the same instant.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = policy.retryBase * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const spread = Math.min(exponential, policy.retryMax) * (0.8 + 0.4 * random());
  return Math.round(Math.min(spread, policy.retryMax) * 1000);
}

/** What to do after a worker exited unasked: start another after `delayMs`, or stop trying. */
export type RestartDecision =
  | { kind: 'restart'; delayMs: number }
  | { kind: 'give-up'; exits: number; windowMs: number };

export interface RestartPolicyOptions {
  /** This many unasked exits within `windowMs` means the workers cannot run: stop. */
  maxExits: number;
  windowMs: number;
  /** The first exit in the window restarts at once; each further one waits twice as long, from this. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { maxExits: 5, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Restarts with a backoff, so a worker that dies at start (a store that went away, a broken
 * release) does not fork in a tight loop; a worker that crashes once in a while is replaced at once.
 */
export class RestartPolicy {
  readonly #options: RestartPolicyOptions;
  readonly #clock: () => number;
  #exits: number[] = [];

  constructor(options: RestartPolicyOptions = DEFAULT_RESTART_POLICY, clock: () => number = Date.now) {
    this.#options = options;
    this.#clock = clock;
  }

  afterExit(): RestartDecision {
    const now = this.#clock();
    this.#exits = [...this.#exits.filter((at) => now - at < this.#options.windowMs), now];
    const exits = this.#exits.length;
    if (exits >= this.#options.maxExits) return { kind: 'give-up', exits, windowMs: this.#options.windowMs };
    if (exits === 1) return { kind: 'restart', delayMs: 0 };
    return { kind: 'restart', delayMs: Math.min(this.#options.firstDelayMs * 2 ** (exits - 2), this.#options.maxDelayMs) };
  }
}

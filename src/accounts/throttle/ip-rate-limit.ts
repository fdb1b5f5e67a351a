import type { Counters } from '../../store/store.ts';
import { throttleKeyOf } from '../../http/client-address.ts';
import type { Attempt } from './credential-throttle.ts';
import { secondsUntil, type Refusal } from './throttle-verdict.ts';

export interface IpRateLimitRule {
  /** Names the counters: `<name>:<subject>:<value>`. */
  name: string;
  /** What is counted: `ip` (the default), or e.g. `address` for a rule per email address. */
  subject?: string;
  /** Wrong guesses one IP may make per window. */
  maxFailures: number;
  windowSeconds: number;
}

/**
 * The throttle's per-IP rule, for guessable secrets that belong to no account (a device's user
 * code): the same store counters as `CredentialThrottle`, so the limit holds across every node.
 * An attempt is counted atomically BEFORE the guess is checked, so concurrent guesses never get
 * more checks than the limit; a right guess gives its attempt back, so people behind one NAT who
 * type their codes correctly never use up the allowance.
 */
export class IpRateLimit {
  readonly #counters: Counters;
  readonly #rule: IpRateLimitRule;

  constructor(counters: Counters, rule: IpRateLimitRule) {
    this.#counters = counters;
    this.#rule = rule;
  }

  /** Counts one attempt from `ip` (an IPv6 client as its /64), or of whatever value the rule's subject names. */
  async begin(value: string): Promise<Attempt | Refusal> {
    const subject = this.#rule.subject ?? 'ip';
    const key = `${this.#rule.name}:${subject}:${subject === 'ip' ? throttleKeyOf(value) : value}`;
    const current = await this.#counters.get(key);
    if (current && current.count >= this.#rule.maxFailures) return refusal(current.resetAt);
    const counted = await this.#counters.increment(key, this.#rule.windowSeconds);
    if (counted.count > this.#rule.maxFailures) return refusal(counted.resetAt);
    return { allowed: true, succeeded: () => this.#counters.decrement(key) };
  }
}

function refusal(until: Date): Refusal {
  return { allowed: false, reason: 'ip', retryAfterSeconds: secondsUntil(until) };
}

import type { LoginThrottleConfig } from '../config/schema.ts';
import type { Counters } from '../store/store.ts';
import { normalizeEmail } from './accounts-service.ts';

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'backoff' | 'locked' | 'ip'; retryAfterSeconds: number };

/**
 * Login throttling in the store, so the limits hold across every Keyline node.
 * Counted per submitted email (existing or not, so a lock reveals nothing) and per client IP:
 * after `backoffAfterFailures` failures each further failure imposes a doubling wait, after
 * `lockAfterFailures` the email is locked for `lockout` seconds; an IP with `ipMaxFailures`
 * failures in the window is refused until the window ends. Other accounts are unaffected.
 */
export class LoginThrottle {
  readonly #counters: Counters;
  readonly #config: LoginThrottleConfig;

  constructor(counters: Counters, config: LoginThrottleConfig) {
    this.#counters = counters;
    this.#config = config;
  }

  async check(email: string, ip: string): Promise<ThrottleVerdict> {
    const account = normalizeEmail(email);
    const [locked, cooldown, ipFailures] = await Promise.all([
      this.#counters.get(`login-lock:${account}`),
      this.#counters.get(`login-cooldown:${account}`),
      this.#counters.get(`login-ip:${ip}`),
    ]);
    if (locked) return { allowed: false, reason: 'locked', retryAfterSeconds: secondsUntil(locked.resetAt) };
    if (ipFailures && ipFailures.count >= this.#config.ipMaxFailures) {
      return { allowed: false, reason: 'ip', retryAfterSeconds: secondsUntil(ipFailures.resetAt) };
    }
    if (cooldown) return { allowed: false, reason: 'backoff', retryAfterSeconds: secondsUntil(cooldown.resetAt) };
    return { allowed: true };
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const account = normalizeEmail(email);
    const [failures] = await Promise.all([
      this.#counters.increment(`login-failures:${account}`, this.#config.failureWindow),
      this.#counters.increment(`login-ip:${ip}`, this.#config.failureWindow),
    ]);
    if (failures.count >= this.#config.lockAfterFailures) {
      await this.#counters.increment(`login-lock:${account}`, this.#config.lockout);
      await this.#counters.reset(`login-failures:${account}`);
    } else if (failures.count >= this.#config.backoffAfterFailures) {
      const wait = Math.min(2 ** (failures.count - this.#config.backoffAfterFailures), this.#config.maxBackoff);
      await this.#counters.reset(`login-cooldown:${account}`);
      await this.#counters.increment(`login-cooldown:${account}`, wait);
    }
  }

  async recordSuccess(email: string): Promise<void> {
    const account = normalizeEmail(email);
    await this.#counters.reset(`login-failures:${account}`);
  }
}

function secondsUntil(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));
}

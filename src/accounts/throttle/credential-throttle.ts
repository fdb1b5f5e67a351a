import type { LoginThrottleConfig } from '../../config/schema.ts';
import type { Counters } from '../../store/store.ts';
import { throttleKeyOf } from '../../http/client-address.ts';
import { secondsUntil, type Refusal } from './throttle-verdict.ts';

/** An attempt the throttle let through. It stays counted as a failure unless it succeeds. */
export interface Attempt {
  allowed: true;
  succeeded(): Promise<void>;
}

/** A credential attempt can also be given back when a later check refused it before any secret was checked. */
export interface CredentialAttempt extends Attempt {
  unchecked(): Promise<void>;
}

/**
 * The subject an account's second-factor codes are counted under: apart from its password's, since a
 * right password resets the password's counters and must give back no wrong code (else knowing the
 * password buys unlimited guesses at the code, a few per sign-in).
 */
export function secondFactorSubject(accountId: string): string {
  return `second-factor:${accountId}`;
}

const keys = {
  pair: (subject: string, ip: string) => `cred:pair:${subject}|${ip}`,
  lock: (subject: string, ip: string) => `cred:lock:${subject}|${ip}`,
  account: (subject: string) => `cred:account:${subject}`,
  slot: (subject: string) => `cred:slot:${subject}`,
  ip: (ip: string) => `cred:ip:${ip}`,
};

/**
 * The one throttle for every secret that can be guessed for an account: passwords, one-time codes,
 * recovery codes. Counters live in the store, so the limits hold across every node.
 *
 * Every attempt is counted atomically BEFORE the secret is checked and stays counted unless it
 * succeeds, so N concurrent attempts never get more checks than the limits allow; an attempt the
 * throttle refuses is checked against nothing, so it is not counted (or is given back): pressing
 * Sign in during a countdown never brings the lock nearer:
 * - one account from one IP: after `lockAfterFailures` that IP is locked out of that account for
 *   `lockout` seconds. The attacker locks themself out, never the owner;
 * - one account from any IPs: from the `backoffAfterFailures`-th failure on, the next attempt must
 *   wait a doubling delay capped at `maxBackoff`, one attempt per delay: the account slows, never locks;
 * - one IP across accounts (credential stuffing): after `ipMaxFailures` the IP is refused until
 *   its window ends; a success gives its attempt back, so a busy NAT is not blocked by its users.
 * An IPv6 client counts as its /64 (`throttleKeyOf`). The subject is whatever the user typed (a normalised email), existing or not, so a refusal
 * reveals nothing about which accounts exist.
 */
export class CredentialThrottle {
  readonly #counters: Counters;
  readonly #config: LoginThrottleConfig;

  constructor(counters: Counters, config: LoginThrottleConfig) {
    this.#counters = counters;
    this.#config = config;
  }

  /**
   * `secondSubject`: the same attempt, already begun under another subject (a directory password
   * counted under what was typed and under the entry found): its subject's limits apply; the IP's
   * limit was applied, and its count taken, by the first.
   */
  async begin(subject: string, clientIp: string, { secondSubject = false }: { secondSubject?: boolean } = {}): Promise<CredentialAttempt | Refusal> {
    const config = this.#config;
    const ip = throttleKeyOf(clientIp);
    const [lock, ipFailures, slotTaken] = await Promise.all([
      this.#counters.get(keys.lock(subject, ip)),
      this.#counters.get(keys.ip(ip)),
      this.#counters.get(keys.slot(subject)),
    ]);
    if (lock) return refusal('locked', lock.resetAt);
    // A second subject's attempt passed the IP's limit, and was counted there, under its first.
    if (!secondSubject && ipFailures && ipFailures.count >= config.ipMaxFailures) return refusal('ip', ipFailures.resetAt);
    // A press during the account's countdown checks nothing, so it counts toward nothing.
    if (slotTaken && slotTaken.count > 0) return refusal('backoff', slotTaken.resetAt);

    // Each counter is taken atomically; an attempt refused by a later one gives back what it took,
    // so only checked attempts stay counted (and concurrent losers never push another limit).
    const taken: string[] = [];
    const take = async (key: string, windowSeconds: number) => {
      taken.push(key);
      return this.#counters.increment(key, windowSeconds);
    };
    const giveBack = () => Promise.all(taken.map((key) => this.#counters.decrement(key)));

    // From the backoffAfterFailures-th attempt on, each attempt takes the account's one slot for a
    // doubling delay: the next attempt, from anywhere, is refused until that delay has passed.
    const account = await take(keys.account(subject), config.failureWindow);
    const beyond = account.count - config.backoffAfterFailures;
    if (beyond >= 0) {
      const slot = await take(keys.slot(subject), Math.min(2 ** beyond, config.maxBackoff));
      if (slot.count > 1) {
        taken.pop();
        await giveBack();
        return refusal('backoff', slot.resetAt);
      }
    }
    const pair = await take(keys.pair(subject, ip), config.failureWindow);
    if (pair.count > config.lockAfterFailures) {
      await giveBack();
      const locked = await this.#counters.increment(keys.lock(subject, ip), config.lockout);
      return { ...refusal('locked', locked.resetAt), lockedNow: locked.count === 1 };
    }
    if (!secondSubject) {
      const fromIp = await take(keys.ip(ip), config.failureWindow);
      if (fromIp.count > config.ipMaxFailures) {
        await giveBack();
        return refusal('ip', fromIp.resetAt);
      }
    }

    return {
      allowed: true,
      unchecked: async () => { await giveBack(); },
      succeeded: async () => {
        await Promise.all([
          this.#counters.reset(keys.pair(subject, ip)),
          this.#counters.reset(keys.account(subject)),
          this.#counters.reset(keys.slot(subject)),
          ...(secondSubject ? [] : [this.#counters.decrement(keys.ip(ip))]),
        ]);
      },
    };
  }

  /**
   * Forgets every failure and lock of the subject, from every IP (`keyline users unlock`), and of
   * the account's second factor when there is an account.
   */
  async unlock(subject: string, accountId?: string): Promise<void> {
    const subjects = accountId ? [subject, secondFactorSubject(accountId)] : [subject];
    await Promise.all(subjects.flatMap((each) => [
      this.#counters.reset(keys.account(each)),
      this.#counters.reset(keys.slot(each)),
      this.#counters.resetPrefix(keys.pair(each, '')),
      this.#counters.resetPrefix(keys.lock(each, '')),
    ]));
  }
}

function refusal(reason: Refusal['reason'], until: Date): Refusal {
  return { allowed: false, reason, retryAfterSeconds: secondsUntil(until) };
}

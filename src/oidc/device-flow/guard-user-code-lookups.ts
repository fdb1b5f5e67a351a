import { hash } from 'node:crypto';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { IpRateLimit } from '../../accounts/throttle/ip-rate-limit.ts';
import type { Counters } from '../../store/store.ts';
import { EXPIRED_DEVICE_CODES_KEPT_SECONDS } from './device-code-retention.ts';

/** Too many wrong user codes from this IP: the user-code page says so, with the wait. */
export class UserCodeGuessesThrottled extends errors.OIDCProviderError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(429, 'too_many_attempts');
    this.error_description = 'too many wrong user codes from this address';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The fields of oidc-provider's DeviceCode this guard reads. */
export interface DeviceCodeLike {
  jti: string;
  exp?: number;
  clientId: string;
  isExpired: boolean;
  accountId?: string;
  error?: string;
  inFlight?: boolean;
}

type FindByUserCode = (userCode: string, options?: { ignoreExpiration?: boolean }) => Promise<DeviceCodeLike | undefined>;

/** A code that a person may still confirm: not expired, not denied, not already taken by someone. */
export function isOpen(code: DeviceCodeLike): boolean {
  return !code.isExpired && !code.error && !code.accountId && !code.inFlight;
}

/** The person pressed "Continue" on the confirm page (and not "Cancel"). */
function isConfirmation(ctx: KoaContextWithOIDC): boolean {
  const params = ctx.oidc?.params as Record<string, unknown> | undefined;
  return ctx.oidc?.route === 'code_verification' && ctx.method === 'POST' && !!params?.confirm && !params.abort;
}

/**
 * Every look-up of a typed user code, from the user-code page (GET or POST) or the confirm step:
 * - counted per IP in the store before it is made (`IpRateLimit`), and refused beyond the limit,
 *   so guessing live codes from a few addresses is hopeless; a look-up that finds an open code
 *   gives its attempt back;
 * - a confirmation claims the code once, atomically, in the store: oidc-provider marks the code
 *   "in flight" by a read and a later write, so two browsers (or nodes) confirming one code at the
 *   same moment could both continue and the device would get whichever account signed in last.
 *   Here the second sees the code as taken, which oidc-provider answers "already used".
 */
export function guardUserCodeLookups(provider: Provider, limit: IpRateLimit, counters: Counters): void {
  const DeviceCode = provider.DeviceCode as unknown as { findByUserCode: FindByUserCode };
  const find = DeviceCode.findByUserCode.bind(DeviceCode);

  async function claimed(code: DeviceCodeLike): Promise<boolean> {
    const key = `device-claim:${hash('sha256', code.jti, 'base64url')}`;
    const secondsLeft = Math.max(1, (code.exp ?? 0) - Math.floor(Date.now() / 1000));
    return (await counters.increment(key, secondsLeft + EXPIRED_DEVICE_CODES_KEPT_SECONDS)).count === 1;
  }

  DeviceCode.findByUserCode = async (userCode, options) => {
    const ctx = Provider.ctx;
    if (!ctx) return find(userCode, options);
    const attempt = await limit.begin(ctx.ip);
    if (!attempt.allowed) throw new UserCodeGuessesThrottled(attempt.retryAfterSeconds);
    const code = await find(userCode, options);
    if (!code || !isOpen(code)) return code;
    await attempt.succeeded();
    if (isConfirmation(ctx) && !await claimed(code)) code.inFlight = true;
    return code;
  };
}

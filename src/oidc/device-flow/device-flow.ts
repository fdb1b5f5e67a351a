import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { IpRateLimit } from '../../accounts/throttle/ip-rate-limit.ts';
import type { DeviceFlowConfig } from '../../config/schema.ts';
import type { Pages } from '../../pages/pages.ts';
import type { Counters } from '../../store/store.ts';
import { guardUserCodeLookups } from './guard-user-code-lookups.ts';
import { announcePollingInterval } from './polling-interval.ts';
import { DeviceFlowPages } from './user-code-pages.ts';

/**
 * User codes: 8 letters from oidc-provider's base-20 alphabet (BCDFGHJKLMNPQRSTVWXZ: no vowels,
 * so no 0/O or 1/I confusion and no words), shown as BCDF-GHJK. 20^8 ≈ 2.6·10^10 codes, RFC
 * 8628 §6.1's example for a rate-limited code; typing is forgiving of case, spaces and dashes.
 */
const USER_CODE_CHARSET = 'base-20';
const USER_CODE_MASK = '****-****';

type DeviceFlowFeature = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;

/** oidc-provider's `features.deviceFlow`, with Keyline's pages. */
export function deviceFlowFeature(pages: Pages): DeviceFlowFeature {
  const devicePages = new DeviceFlowPages(pages, USER_CODE_MASK);
  return {
    enabled: true,
    charset: USER_CODE_CHARSET,
    mask: USER_CODE_MASK,
    userCodeInputSource: (ctx, form, out, err) => devicePages.input(ctx as never, form, out, err),
    userCodeConfirmSource: (ctx, form, client, deviceInfo, userCode) => devicePages.confirm(ctx as never, form, client, deviceInfo, userCode),
    successSource: (ctx) => devicePages.success(ctx as never),
  };
}

/** What the device flow adds to a built provider: the guessing limit and single-use claims on user codes, and `interval`. */
export function equipDeviceFlow(provider: Provider, config: DeviceFlowConfig, counters: Counters): void {
  const limit = new IpRateLimit(counters, { name: 'user-code', maxFailures: config.userCodeAttempts, windowSeconds: config.userCodeWindow });
  guardUserCodeLookups(provider, limit, counters);
  announcePollingInterval(provider, config.pollInterval);
}

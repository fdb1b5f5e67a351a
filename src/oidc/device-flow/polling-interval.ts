import { hash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Counters } from '../../store/store.ts';

interface ProviderRouted {
  oidc?: { route?: string; params?: Record<string, unknown> };
}

/** oidc-provider v9 leaves `interval` out of the device authorization response; the device must know it. */
export function announcePollingInterval(provider: Provider, intervalSeconds: number): void {
  (provider as unknown as NodeJS.EventEmitter).on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) => {
    body.interval = intervalSeconds;
  });
}

/**
 * RFC 8628 §3.5: a device that polls a pending code faster than `interval` gets `slow_down`
 * instead of `authorization_pending`. oidc-provider v9 no longer does this itself. The polls are
 * counted in the store (a window of `interval` seconds per device code), so a device gains
 * nothing by spreading its polls over several nodes. Only pending answers are slowed: once the
 * person has approved, the next poll gets its tokens, whenever it comes.
 */
export function enforcePollingInterval(counters: Counters, intervalSeconds: number) {
  return async (ctx: Context & ProviderRouted, next: Next): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'token' || (ctx.body as { error?: unknown } | undefined)?.error !== 'authorization_pending') return;
    const deviceCode = ctx.oidc.params?.device_code;
    if (typeof deviceCode !== 'string') return;
    // The device code is a credential: its counter is named by a digest.
    const key = `device-poll:${hash('sha256', deviceCode, 'base64url')}`;
    if ((await counters.increment(key, intervalSeconds)).count > 1) {
      ctx.body = { error: 'slow_down', error_description: `poll at most once every ${intervalSeconds} seconds` };
    }
  };
}

import type { Context } from 'koa';
import type { Translate } from '../i18n/i18n.ts';
import type { RequestLocale } from '../i18n/request-locale.ts';
import type { Logger } from '../logger.ts';
import type { KeylineState } from './keyline-state.ts';

/**
 * `ctx.state` of every request. What not every request needs is worked out when first read, on the
 * prototype rather than with closures per request: the child logger (most requests only ever
 * write their one request line, which needs no child), and the page language (`ui_locales` is
 * only known once the interaction or the protocol parameters have been loaded, so it is worked out
 * at each read, as before).
 */
export class RequestState implements Pick<KeylineState, 'requestId' | 'cspNonce' | 'log' | 'locale' | 't'> {
  requestId: string;
  cspNonce: string;
  readonly traceId: string | undefined;
  readonly #ctx: Context;
  readonly #logger: Logger;
  readonly #locale: RequestLocale;
  #log: Logger | undefined;

  constructor(ctx: Context, logger: Logger, locale: RequestLocale, ids: { requestId: string; traceId: string | undefined; cspNonce: string }) {
    this.requestId = ids.requestId;
    this.traceId = ids.traceId;
    this.cspNonce = ids.cspNonce;
    this.#ctx = ctx;
    this.#logger = logger;
    this.#locale = locale;
  }

  get log(): Logger {
    this.#log ??= this.#logger.child(this.traceId ? { requestId: this.requestId, traceId: this.traceId } : { requestId: this.requestId });
    return this.#log;
  }

  set log(log: Logger) {
    this.#log = log;
  }

  get locale(): string {
    return this.#locale.locale(this.#ctx);
  }

  get t(): Translate {
    return this.#locale.t(this.#ctx);
  }
}

import type { Context } from 'koa';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { SelfService } from '../accounts/self-service/self-service.ts';
import type { RequestOrigin } from '../accounts/self-service/request-origin.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import type { Pages } from '../pages/pages.ts';

/** What the self-service pages need, passed in by the composition root. */
export interface SelfServiceDeps {
  selfService: SelfService;
  securityEvents: SecurityEvents;
  pages: Pages;
  csrfSecret: string;
  /** `registration.allowUnverifiedLogin`: the sign-up answer may say "you can sign in now". */
  allowUnverifiedLogin: boolean;
}

export type SelfServiceContext = Context & { state: KeylineState };

export function originOf(ctx: SelfServiceContext): RequestOrigin {
  return { ip: ctx.ip, requestId: ctx.state.requestId, log: ctx.state.log, locale: ctx.state.locale };
}

/** Where "Back to sign in" goes: the interaction the person came from (a path Keyline made), else the start page. */
export function returnPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/interaction\/[\w-]{1,64}$/.test(value) ? value : undefined;
}

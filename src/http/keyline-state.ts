import type { Translate } from '../i18n/i18n.ts';
import type { Logger } from '../logger.ts';
import type { SignInProgress } from '../oidc/interactions/sign-in-progress.ts';

/** What Keyline's middleware puts on `ctx.state` for the steps after it. */
export interface KeylineState {
  requestId: string;
  cspNonce: string;
  log: Logger;
  form?: Record<string, string>;
  /** A JSON request body (the passkey steps), read by parseJson. */
  json?: Record<string, unknown>;
  interaction?: InteractionDetails;
  /** An error oidc-provider handled itself as server_error, kept so it can be mapped. */
  providerError?: unknown;
  /** The negotiated page language (ui_locales > Accept-Language > i18n.defaultLocale). */
  locale: string;
  /** The message lookup for that language: every string a person reads comes from it. */
  t: Translate;
  /** The OAuth-style error code of a failed request, for its log line. */
  errorCode?: string;
  /** What this interaction's earlier sign-in steps proved (see oidc/interactions/sign-in-progress.ts). */
  signInProgress?: SignInProgress;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string; uid?: string; acr?: string; amr?: string[] };
  grantId?: string;
}

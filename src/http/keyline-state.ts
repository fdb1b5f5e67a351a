import type { Logger } from '../logger.ts';

/** What Keyline's middleware puts on `ctx.state` for the steps after it. */
export interface KeylineState {
  requestId: string;
  cspNonce: string;
  log: Logger;
  form?: Record<string, string>;
  interaction?: InteractionDetails;
  /** An error oidc-provider handled itself as server_error, kept so it can be mapped. */
  providerError?: unknown;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string; uid?: string };
  grantId?: string;
}

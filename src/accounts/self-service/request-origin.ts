import type { Logger } from '../../logger.ts';

/** Where a self-service request came from, for its security event and throttling. */
export interface RequestOrigin {
  ip: string;
  requestId?: string;
  log?: Logger;
  /** The language of the page, and so of the mail it sends. */
  locale: string;
}

import type { AccountRecord } from '../../store/store.ts';
import type { ActionLinks } from './action-links.ts';
import { linkTo, SELF_SERVICE_PATHS } from './self-service-links.ts';

/** A new single-use reset link for the account: what the mail carries, and what `keyline users reset-link` prints. */
export async function issueResetLink(links: ActionLinks, issuer: string, ttlSeconds: number, account: AccountRecord): Promise<string> {
  const token = await links.issue('reset-password', account, ttlSeconds);
  return linkTo(issuer, SELF_SERVICE_PATHS.resetPassword, token);
}

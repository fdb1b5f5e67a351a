import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Mailer } from '../../mail/mail-job.ts';
import type { AccountRecord } from '../../store/store.ts';
import type { AccountsService } from '../accounts-service.ts';
import { linkStillFits, type ActionLinks } from './action-links.ts';
import type { PendingSignUps } from './pending-sign-ups.ts';
import type { RequestOrigin } from './request-origin.ts';
import { linkTo, SELF_SERVICE_PATHS } from './self-service-links.ts';

export interface EmailVerificationDeps {
  issuer: string;
  links: ActionLinks;
  mailer: Mailer;
  accounts: AccountsService;
  pending: PendingSignUps;
  securityEvents: SecurityEvents;
  ttlSeconds: number;
}

/**
 * Proving an address: a single-use link (`ttl.verificationLink`) mailed to it; following it and
 * confirming marks the address verified, so `email_verified` is true in the next id_token.
 */
export class EmailVerification {
  readonly #deps: EmailVerificationDeps;

  constructor(deps: EmailVerificationDeps) {
    this.#deps = deps;
  }

  /** Mails a new link to the account's address (a link sent earlier keeps working until it expires). */
  async send(account: AccountRecord, origin: RequestOrigin): Promise<void> {
    const { links, mailer, issuer, ttlSeconds, securityEvents } = this.#deps;
    const token = await links.issue('verify-email', account, ttlSeconds);
    await mailer.send({
      template: 'verify-email', to: account.email, locale: origin.locale, name: account.name,
      link: linkTo(issuer, SELF_SERVICE_PATHS.verifyEmail, token), linkTtlSeconds: ttlSeconds,
    });
    await securityEvents.record({
      type: 'account.verification_sent', actor: `user:${account.id}`, accountId: account.id, email: account.email,
      ip: origin.ip, requestId: origin.requestId,
    }, origin.log);
  }

  /** The account a link would verify, while it is unused, unexpired and still for that account's address. */
  async peek(token: unknown): Promise<AccountRecord | undefined> {
    const record = await this.#deps.links.peek('verify-email', token);
    if (!record) return undefined;
    const account = await this.#deps.accounts.findById(record.accountId);
    return account && linkStillFits(record, account) ? account : undefined;
  }

  /** Uses the link: the verified account, or undefined for a used, expired or unknown link. */
  async confirm(token: unknown, origin: RequestOrigin): Promise<AccountRecord | undefined> {
    if (!await this.peek(token)) return undefined;
    const record = await this.#deps.links.use('verify-email', token);
    if (!record) return undefined;
    const account = await this.#deps.accounts.markEmailVerified(record.email);
    await this.#deps.pending.clear(account.id);
    await this.#deps.securityEvents.record({
      type: 'account.email_verified', actor: `user:${account.id}`, accountId: account.id, email: account.email,
      ip: origin.ip, requestId: origin.requestId, data: { method: 'link' },
    }, origin.log);
    return account;
  }
}

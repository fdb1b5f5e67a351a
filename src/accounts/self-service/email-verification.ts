import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Mailer } from '../../mail/mail-job.ts';
import type { AccountRecord, Store } from '../../store/store.ts';
import type { AccountsService } from '../accounts-service.ts';
import { passwordProblem } from '../password-policy.ts';
import { IpRateLimit, type IpRateLimitRule } from '../throttle/ip-rate-limit.ts';
import { linkStillFits, type ActionLinks } from './action-links.ts';
import { ownerTakesOver } from './owner-takes-over.ts';
import type { PendingSignUps } from './pending-sign-ups.ts';
import type { RequestOrigin } from './request-origin.ts';
import { linkTo, SELF_SERVICE_PATHS } from './self-service-links.ts';

/**
 * Mail one address may be sent per hour by sign-ups and "send the link again" together (as reset
 * requests): enough for a lost mail, too few for anyone to fill a stranger's inbox from many IPs.
 */
export const ADDRESS_MAIL_RULE: IpRateLimitRule = { name: 'address-mail', subject: 'address', maxFailures: 5, windowSeconds: 3600 };

export interface EmailVerificationDeps {
  issuer: string;
  store: Store;
  links: ActionLinks;
  mailer: Mailer;
  accounts: AccountsService;
  pending: PendingSignUps;
  securityEvents: SecurityEvents;
  ttlSeconds: number;
}

/** A link opened: the account, and whether it is a sign-up nobody has verified yet. */
export interface OpenVerificationLink {
  account: AccountRecord;
  /** The confirm form then asks for a password (see `confirm`). */
  pendingSignUp: boolean;
}

export type VerificationOutcome =
  | { outcome: 'verified'; account: AccountRecord; tookOver: boolean }
  | { outcome: 'invalid_link' }
  | { outcome: 'password_required' | 'weak_password'; link: OpenVerificationLink; problem?: string };

/**
 * Proving an address: a single-use link (`ttl.verificationLink`) mailed to it; following it and
 * confirming marks the address verified, so `email_verified` is true in the next id_token.
 *
 * Whoever follows the link owns the address, but did not necessarily sign up: anyone can sign up
 * with someone else's address and a password they know. So confirming an unverified sign-up asks
 * for a password: the one chosen at sign-up keeps the account as it is; any other becomes the
 * account's password and everything else set on it is discarded (the owner takes it over).
 */
export class EmailVerification {
  readonly #deps: EmailVerificationDeps;
  readonly #mailsPerAddress: IpRateLimit;

  constructor(deps: EmailVerificationDeps) {
    this.#deps = deps;
    this.#mailsPerAddress = new IpRateLimit(deps.store.counters, ADDRESS_MAIL_RULE);
  }

  /** "Send the link again": a new link, unless the address was mailed too often this hour. */
  async sendAgain(account: AccountRecord, origin: RequestOrigin): Promise<boolean> {
    if (!(await this.#mailsPerAddress.begin(account.email)).allowed) return false;
    await this.send(account, origin);
    return true;
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

  /** The account a link would verify, while it is unused, unexpired and still for that account's address and password. */
  async peek(token: unknown): Promise<OpenVerificationLink | undefined> {
    const record = await this.#deps.links.peek('verify-email', token);
    if (!record) return undefined;
    const account = await this.#deps.accounts.findById(record.accountId);
    if (!account || !linkStillFits(record, account)) return undefined;
    return { account, pendingSignUp: await this.#deps.pending.awaitsVerification(account) };
  }

  /** Uses the link (with the password an unverified sign-up needs, see above). */
  async confirm(token: unknown, password: string, origin: RequestOrigin): Promise<VerificationOutcome> {
    const link = await this.peek(token);
    if (!link) return { outcome: 'invalid_link' };
    let tookOver = false;
    if (link.pendingSignUp) {
      if (!password) return { outcome: 'password_required', link };
      tookOver = !await this.#deps.accounts.authenticate(link.account.email, password);
      const problem = tookOver ? passwordProblem(password) : undefined;
      if (problem) return { outcome: 'weak_password', link, problem };
    }
    const record = await this.#deps.links.use('verify-email', token);
    if (!record) return { outcome: 'invalid_link' };
    if (tookOver) await ownerTakesOver(this.#deps, link.account, password, null);
    const account = await this.#deps.accounts.markEmailVerified(record.email);
    await this.#deps.pending.clear(account.id);
    await this.#deps.securityEvents.record({
      type: 'account.email_verified', actor: `user:${account.id}`, accountId: account.id, email: account.email,
      ip: origin.ip, requestId: origin.requestId, data: { method: 'link', ...(tookOver ? { tookOverSignUp: true } : {}) },
    }, origin.log);
    return { outcome: 'verified', account, tookOver };
  }
}

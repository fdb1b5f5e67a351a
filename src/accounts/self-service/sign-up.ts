import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Config } from '../../config/schema.ts';
import type { Mailer } from '../../mail/mail-job.ts';
import { DuplicateError } from '../../store/store-errors.ts';
import type { Counters } from '../../store/store.ts';
import { normalizeEmail, type AccountsService } from '../accounts-service.ts';
import { hashPassword } from '../password-hashing.ts';
import { passwordProblem } from '../password-policy.ts';
import { IpRateLimit } from '../throttle/ip-rate-limit.ts';
import { ADDRESS_MAIL_RULE, type EmailVerification } from './email-verification.ts';
import type { PendingSignUps } from './pending-sign-ups.ts';
import type { RequestOrigin } from './request-origin.ts';
import { linkTo, SELF_SERVICE_PATHS } from './self-service-links.ts';

/** Accounts one IP may try to create per hour. */
export const SIGN_UPS_PER_IP = 20;
/** Mails sign-ups may cause one address per hour, counted with "send the link again" (ADDRESS_MAIL_RULE). */
export const SIGN_UP_MAILS_PER_ADDRESS = ADDRESS_MAIL_RULE.maxFailures;
const MAX_NAME_LENGTH = 256;

export interface SignUpForm {
  email: string;
  name: string;
  password: string;
}

/** A field the person must fix; nothing was stored. None of them depends on whether the address has an account. */
export type SignUpProblem = { field: 'email' | 'name'; reason: 'invalid' | 'domain' | 'too_long' } | { field: 'password'; reason: 'policy'; message: string };

export type SignUpOutcome = { outcome: 'accepted' } | { outcome: 'invalid'; problems: SignUpProblem[] } | { outcome: 'throttled'; retryAfterSeconds: number };

export interface SignUpDeps {
  issuer: string;
  registration: Config['registration'];
  accounts: AccountsService;
  verification: EmailVerification;
  pending: PendingSignUps;
  mailer: Mailer;
  securityEvents: SecurityEvents;
  counters: Counters;
}

/**
 * "Create account" (`registration.enabled`): a new account with an unverified address and a
 * verification mail. An address that already has an account gets the same answer, and its owner
 * an `already-registered` mail; the password is hashed either way, so the answer takes as long.
 * An address held only by an unverified sign-up is not taken: a new verification mail goes out,
 * whose page lets the address's owner take the account over (what the earlier sign-up set is then
 * discarded), so a stranger who signed up first never keeps the address from its owner.
 */
export class SignUp {
  readonly #deps: SignUpDeps;
  readonly #perIp: IpRateLimit;
  readonly #mailsPerAddress: IpRateLimit;

  constructor(deps: SignUpDeps) {
    this.#deps = deps;
    this.#perIp = new IpRateLimit(deps.counters, { name: 'sign-up', maxFailures: SIGN_UPS_PER_IP, windowSeconds: 3600 });
    this.#mailsPerAddress = new IpRateLimit(deps.counters, ADDRESS_MAIL_RULE);
  }

  /** Sign-up is open to these domains only (empty: to any). */
  get allowedDomains(): readonly string[] {
    return this.#deps.registration.allowedDomains;
  }

  #problems(form: SignUpForm): SignUpProblem[] {
    const problems: SignUpProblem[] = [];
    const email = normalizeEmail(form.email);
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) problems.push({ field: 'email', reason: 'invalid' });
    else if (this.#deps.registration.allowedDomains.length && !this.#deps.registration.allowedDomains.includes(domain)) problems.push({ field: 'email', reason: 'domain' });
    if (form.name.trim().length > MAX_NAME_LENGTH) problems.push({ field: 'name', reason: 'too_long' });
    // The password on its own: checked with the address, a malformed address (reported above) stopped
    // the check at the address and turned the whole form into an error page.
    const passwordTrouble = passwordProblem(form.password);
    if (passwordTrouble) problems.push({ field: 'password', reason: 'policy', message: passwordTrouble });
    return problems;
  }

  async register(form: SignUpForm, origin: RequestOrigin): Promise<SignUpOutcome> {
    const problems = this.#problems(form);
    if (problems.length) return { outcome: 'invalid', problems };
    const fromIp = await this.#perIp.begin(origin.ip);
    if (!fromIp.allowed) return { outcome: 'throttled', retryAfterSeconds: fromIp.retryAfterSeconds };
    const email = normalizeEmail(form.email);
    // Every sign-up for an address counts, from wherever: beyond the limit the answer is the same
    // and no mail goes to an existing account's address (a new account still gets its one link).
    const mayMail = (await this.#mailsPerAddress.begin(email)).allowed;
    const limited = mayMail ? {} : { reason: 'address_rate_limited' };
    const existing = await this.#deps.accounts.findByEmail(email);
    if (existing && await this.#deps.pending.awaitsVerification(existing)) {
      // Held only by an unverified sign-up: the address's owner gets a link that lets them take it
      // over (email-verification.ts). This sign-up changes nothing until then, since it proves no
      // more than the first one did.
      await hashPassword(form.password);
      if (mayMail) await this.#deps.verification.send(existing, origin);
      await this.#deps.securityEvents.record({
        type: 'account.sign_up_existing', actor: 'anonymous', accountId: existing.id, email, ip: origin.ip, requestId: origin.requestId,
        data: { unverified: true, ...limited },
      }, origin.log);
      return { outcome: 'accepted' };
    }
    if (existing) {
      await hashPassword(form.password);
      await this.#alreadyRegistered(email, existing.id, existing.name, origin, mayMail);
      return { outcome: 'accepted' };
    }
    let account;
    try {
      account = await this.#deps.accounts.create(email, form.password, form.name.trim() || null);
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      const raced = await this.#deps.accounts.findByEmail(email);
      await this.#alreadyRegistered(email, raced?.id ?? null, raced?.name ?? null, origin, mayMail);
      return { outcome: 'accepted' };
    }
    await this.#deps.pending.mark(account.id);
    await this.#deps.securityEvents.record({
      type: 'account.signed_up', actor: `user:${account.id}`, accountId: account.id, email, ip: origin.ip, requestId: origin.requestId,
    }, origin.log);
    await this.#deps.verification.send(account, origin);
    return { outcome: 'accepted' };
  }

  async #alreadyRegistered(email: string, accountId: string | null, name: string | null, origin: RequestOrigin, mayMail: boolean): Promise<void> {
    if (mayMail) {
      await this.#deps.mailer.send({
        template: 'already-registered', to: email, locale: origin.locale, name, link: linkTo(this.#deps.issuer, SELF_SERVICE_PATHS.forgotPassword),
      });
    }
    await this.#deps.securityEvents.record({
      type: 'account.sign_up_existing', actor: 'anonymous', accountId, email, ip: origin.ip, requestId: origin.requestId,
      ...(mayMail ? {} : { data: { reason: 'address_rate_limited' } }),
    }, origin.log);
  }
}

import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Mailer } from '../../mail/mail-job.ts';
import type { AccountRecord, Counters, Store } from '../../store/store.ts';
import type { RecoveryCodeService } from '../factors/recovery-code-service.ts';
import type { TotpFactors } from '../factors/totp-factors.ts';
import { normalizeEmail, type AccountsService } from '../accounts-service.ts';
import { passwordProblem } from '../password-policy.ts';
import { secondFactorSubject, type CredentialThrottle } from '../throttle/credential-throttle.ts';
import { IpRateLimit } from '../throttle/ip-rate-limit.ts';
import { linkStillFits, type ActionLinks } from './action-links.ts';
import { evenOut } from './even-out.ts';
import { issueResetLink } from './reset-link.ts';
import type { RequestOrigin } from './request-origin.ts';
import { ownerTakesOver } from './owner-takes-over.ts';
import type { PendingSignUps } from './pending-sign-ups.ts';
import { linkTo, SELF_SERVICE_PATHS } from './self-service-links.ts';

/** Reset requests one address may cause per hour: enough for a lost mail, too few to flood an inbox. */
export const RESET_REQUESTS_PER_ADDRESS = 5;
/** Reset requests one IP may make per 15 minutes, across addresses. */
export const RESET_REQUESTS_PER_IP = 30;
/** Every request answers no sooner than this, whether or not the address has an account. */
export const RESET_ANSWER_FLOOR_MS = 150;

export interface PasswordResetDeps {
  issuer: string;
  store: Store;
  links: ActionLinks;
  /** Undefined without an SMTP server: links then come from `keyline users reset-link` only. */
  mailer: Mailer | undefined;
  accounts: AccountsService;
  credentialThrottle: CredentialThrottle;
  totp: TotpFactors;
  recoveryCodes: RecoveryCodeService;
  securityEvents: SecurityEvents;
  counters: Counters;
  ttlSeconds: number;
  pending: PendingSignUps;
}

/** What the reset page must ask besides the new password. */
export interface SecondFactorNeed {
  /** The account has a second factor or passkey: one of the ways below must be shown. */
  required: boolean;
  totp: boolean;
  recoveryCode: boolean;
}

export interface OpenResetLink {
  account: AccountRecord;
  secondFactor: SecondFactorNeed;
  /** An unverified sign-up: the reset proves the address, and its owner takes the account over. */
  pendingSignUp: boolean;
}

export type ResetOutcome =
  | { outcome: 'done'; account: AccountRecord }
  | { outcome: 'invalid_link' }
  | { outcome: 'weak_password'; problem: string }
  | { outcome: 'second_factor_required' | 'wrong_code' | 'second_factor_unavailable'; link: OpenResetLink }
  | { outcome: 'throttled'; retryAfterSeconds: number; link: OpenResetLink };

export interface ResetAnswer {
  form: { password: string; code?: string; recoveryCode?: string };
}

/**
 * "Forgot password?": a request mails a single-use link (`ttl.resetLink`) when the address has an
 * enabled account, and answers the same either way; following the link sets a new password with
 * the usual policy, after the second factor when the account has one. Completing it is
 * `AccountsService.setPassword`: every session, grant and refresh token ends, login locks lift.
 * On an unverified sign-up the link proves the address: its owner takes the account over
 * (owner-takes-over.ts), and the address counts as verified.
 */
export class PasswordReset {
  readonly #deps: PasswordResetDeps;
  readonly #perIp: IpRateLimit;
  readonly #perAddress: IpRateLimit;

  constructor(deps: PasswordResetDeps) {
    this.#deps = deps;
    this.#perIp = new IpRateLimit(deps.counters, { name: 'reset', maxFailures: RESET_REQUESTS_PER_IP, windowSeconds: 900 });
    this.#perAddress = new IpRateLimit(deps.counters, { name: 'reset', subject: 'address', maxFailures: RESET_REQUESTS_PER_ADDRESS, windowSeconds: 3600 });
  }

  /**
   * Resolves with undefined (the neutral answer) or, when this IP asked too often, the wait. An
   * address asked for too often gets the neutral answer and no more mail.
   */
  async request(email: string, origin: RequestOrigin): Promise<{ retryAfterSeconds: number } | undefined> {
    const started = performance.now();
    const fromIp = await this.#perIp.begin(origin.ip);
    if (!fromIp.allowed) return { retryAfterSeconds: fromIp.retryAfterSeconds };
    const subject = normalizeEmail(email).slice(0, 320);
    const forAddress = await this.#perAddress.begin(subject);
    const account = forAddress.allowed ? await this.#deps.accounts.findByEmail(subject) : undefined;
    const sent = account !== undefined && !account.disabled;
    if (sent) await this.sendLink(account, origin);
    await this.#deps.securityEvents.record({
      type: 'password.reset_requested', actor: 'anonymous', accountId: account?.id ?? null, email: subject, ip: origin.ip, requestId: origin.requestId,
      data: { sent, ...(forAddress.allowed ? {} : { reason: 'address_rate_limited' }) },
    }, origin.log);
    await evenOut(started, RESET_ANSWER_FLOOR_MS);
    return undefined;
  }

  /**
   * Counts a reset link someone else is about to mail the person (the admin API, the help desk)
   * against the address's allowance, as "Forgot password?" does, so no caller, however trusted
   * its token, can flood an inbox. Resolves with the wait when the allowance is used up.
   */
  async countLinkTo(account: AccountRecord): Promise<{ retryAfterSeconds: number } | undefined> {
    const forAddress = await this.#perAddress.begin(normalizeEmail(account.email).slice(0, 320));
    return forAddress.allowed ? undefined : { retryAfterSeconds: forAddress.retryAfterSeconds };
  }

  /** Mails a reset link to the account (also what an `already-registered` mail points to). */
  async sendLink(account: AccountRecord, origin: Pick<RequestOrigin, 'locale'>): Promise<void> {
    const { links, mailer, issuer, ttlSeconds } = this.#deps;
    if (!mailer) throw new Error('password reset links cannot be mailed: no SMTP server is configured');
    await mailer.send({
      template: 'reset-password', to: account.email, locale: origin.locale, name: account.name,
      link: await issueResetLink(links, issuer, ttlSeconds, account), linkTtlSeconds: ttlSeconds,
    });
  }

  /**
   * The account a link resets, while it is unused, unexpired, for its current address and password
   * (any change of the password since the link was mailed voids it) and enabled.
   */
  async open(token: unknown): Promise<OpenResetLink | undefined> {
    const record = await this.#deps.links.peek('reset-password', token);
    if (!record) return undefined;
    const account = await this.#deps.accounts.findById(record.accountId);
    if (!account || account.disabled || !linkStillFits(record, account)) return undefined;
    const [factors, recoveryCodes, pendingSignUp] = await Promise.all([
      this.#deps.store.factors.listByAccount(account.id),
      this.#deps.recoveryCodes.remaining(account.id),
      this.#deps.pending.awaitsVerification(account),
    ]);
    // An unverified sign-up's factors are whoever signed up's, not the address owner's: they go.
    const required = factors.length > 0 && !pendingSignUp;
    return {
      account,
      pendingSignUp,
      secondFactor: { required, totp: required && factors.some((factor) => factor.type === 'totp'), recoveryCode: required && recoveryCodes > 0 },
    };
  }

  async complete(token: unknown, answer: ResetAnswer, origin: RequestOrigin): Promise<ResetOutcome> {
    const link = await this.open(token);
    if (!link) return { outcome: 'invalid_link' };
    const problem = passwordProblem(answer.form.password);
    if (problem) return { outcome: 'weak_password', problem };
    const { account } = link;
    let secondFactor: 'totp' | 'recovery_code' | undefined;
    if (link.secondFactor.required) {
      if (!link.secondFactor.totp && !link.secondFactor.recoveryCode) return { outcome: 'second_factor_unavailable', link };
      const code = (answer.form.code ?? '').trim();
      const recoveryCode = (answer.form.recoveryCode ?? '').trim();
      if (!code && !recoveryCode) return { outcome: 'second_factor_required', link };
      // A code is as guessable here as on the sign-in page: the same throttle, on the same counters.
      const attempt = await this.#deps.credentialThrottle.begin(secondFactorSubject(account.id), origin.ip);
      if (!attempt.allowed) return { outcome: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds, link };
      if (code && link.secondFactor.totp && await this.#deps.totp.verify(account.id, code)) secondFactor = 'totp';
      else if (recoveryCode && await this.#deps.recoveryCodes.use(account.id, recoveryCode) !== undefined) secondFactor = 'recovery_code';
      if (!secondFactor) {
        await this.#deps.securityEvents.record({
          type: 'password.reset_failed', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: origin.ip,
          requestId: origin.requestId, data: { reason: 'wrong_second_factor' },
        }, origin.log);
        return { outcome: 'wrong_code', link };
      }
      await attempt.succeeded();
    }
    if (!await this.#deps.links.use('reset-password', token)) return { outcome: 'invalid_link' };
    let updated: AccountRecord;
    if (link.pendingSignUp) {
      await ownerTakesOver(this.#deps, account, answer.form.password, null);
      updated = await this.#deps.accounts.markEmailVerified(account.email);
      await this.#deps.pending.clear(account.id);
    } else {
      updated = await this.#deps.accounts.setPassword(account.email, answer.form.password, 'user');
    }
    await this.#deps.securityEvents.record({
      type: 'password.reset', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: origin.ip, requestId: origin.requestId,
      data: { method: 'link', ...(secondFactor ? { secondFactor } : {}), ...(link.pendingSignUp ? { tookOverSignUp: true } : {}) },
    }, origin.log);
    await this.#deps.mailer?.send({
      template: 'password-changed', to: account.email, locale: origin.locale, name: account.name,
      link: linkTo(this.#deps.issuer, SELF_SERVICE_PATHS.forgotPassword),
    });
    return { outcome: 'done', account: updated };
  }
}

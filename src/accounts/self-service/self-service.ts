import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Config } from '../../config/schema.ts';
import type { Mailer } from '../../mail/mail-job.ts';
import type { Store } from '../../store/store.ts';
import type { AccountsService } from '../accounts-service.ts';
import type { RecoveryCodeService } from '../factors/recovery-code-service.ts';
import type { TotpFactors } from '../factors/totp-factors.ts';
import type { CredentialThrottle } from '../throttle/credential-throttle.ts';
import { ActionLinks } from './action-links.ts';
import { EmailVerification } from './email-verification.ts';
import { PasswordReset } from './password-reset.ts';
import { PendingSignUps } from './pending-sign-ups.ts';
import { SignUp } from './sign-up.ts';

/**
 * The self-service flows. Completing a reset works without mail too (for the links
 * `keyline users reset-link` prints); asking for one, verification and sign-up need it.
 */
export interface SelfService {
  reset: PasswordReset;
  /** Mail is configured: "Forgot password?" can send a link. */
  canRequestReset: boolean;
  /** Present when mail is configured. */
  verification: EmailVerification | undefined;
  /** Present when mail is configured and `registration.enabled`. */
  signUp: SignUp | undefined;
}

export interface SelfServiceDeps {
  config: Config;
  store: Store;
  accounts: AccountsService;
  credentialThrottle: CredentialThrottle;
  securityEvents: SecurityEvents;
  totp: TotpFactors;
  recoveryCodes: RecoveryCodeService;
  pending: PendingSignUps;
  /** Undefined without an SMTP server. */
  mailer: Mailer | undefined;
}

export function createSelfService(deps: SelfServiceDeps): SelfService {
  const { config, store, accounts, securityEvents, mailer, pending } = deps;
  const links = new ActionLinks(store);
  const verification = mailer && new EmailVerification({
    issuer: config.issuer, store, links, mailer, accounts, pending, securityEvents, ttlSeconds: config.ttl.verificationLink,
  });
  const reset = new PasswordReset({
    issuer: config.issuer, store, links, mailer, accounts, credentialThrottle: deps.credentialThrottle, totp: deps.totp,
    recoveryCodes: deps.recoveryCodes, securityEvents, counters: store.counters, ttlSeconds: config.ttl.resetLink, pending,
  });
  const signUp = mailer && verification && config.registration.enabled
    ? new SignUp({ issuer: config.issuer, registration: config.registration, accounts, verification, pending, mailer, securityEvents, counters: store.counters })
    : undefined;
  return { reset, canRequestReset: mailer !== undefined, verification, signUp };
}

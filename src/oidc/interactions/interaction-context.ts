import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountsService } from '../../accounts/accounts-service.ts';
import type { CredentialThrottle } from '../../accounts/throttle/credential-throttle.ts';
import type { SecurityEvents } from '../../audit/security-events.ts';
import type { Passkeys } from '../../accounts/factors/passkeys.ts';
import type { RecoveryCodeService } from '../../accounts/factors/recovery-code-service.ts';
import type { SecretSealer } from '../../accounts/factors/secret-sealer.ts';
import type { TotpFactors } from '../../accounts/factors/totp-factors.ts';
import type { SignInProgressStore } from './sign-in-progress.ts';
import type { PendingSignUps } from '../../accounts/self-service/pending-sign-ups.ts';
import type { KeylineState } from '../../http/keyline-state.ts';
import type { Pages } from '../../pages/pages.ts';
import type { Store } from '../../store/store.ts';
import type { AuthorizationDeclarations } from '../../config/schema.ts';
import type { ResourceRegistry } from '../resource-registry.ts';
import type { FederationDeps } from '../../federation/federation-deps.ts';

/** What every interaction step needs, passed in by the composition root. */
export interface InteractionDeps {
  provider: Provider;
  store: Store;
  accounts: AccountsService;
  resources: ResourceRegistry;
  credentialThrottle: CredentialThrottle;
  /** The one call for security events: audit trail, log line and counter. */
  securityEvents: SecurityEvents;
  pages: Pages;
  csrfSecret: string;
  secondFactors: SecondFactors;
  /** The operator's attributes and claim scopes, which the consent page explains. */
  declarations?: AuthorizationDeclarations;
  /** The mail-backed self-service the login page links to; absent: neither link. */
  selfService?: LoginSelfService;
  /** Upstream identity providers (issue 22): the login page's buttons, home-realm discovery, the upstream steps. */
  federation: FederationDeps;
}

export interface LoginSelfService {
  /** Mail is configured: "Forgot password?". */
  canResetPassword: boolean;
  /** `registration.enabled`: "Create account". */
  canSignUp: boolean;
  /** Self-created accounts whose address is unproven sign in only with `registration.allowUnverifiedLogin`. */
  pendingSignUps: PendingSignUps;
  allowUnverifiedLogin: boolean;
}

/** What the steps after the first factor use. */
export interface SecondFactors {
  totp: TotpFactors;
  passkeys: Passkeys;
  recoveryCodes: RecoveryCodeService;
  progress: SignInProgressStore;
  /** Seals the recovery codes between the step that makes them and the page that shows them once. */
  sealer: SecretSealer;
  /** `mfa.required`: every sign-in needs a second factor or a passkey. */
  everyoneNeedsMfa: boolean;
  /** The name authenticator apps show beside the account (the product name). */
  issuerName: string;
}

export type InteractionContext = Context & { state: KeylineState; params: Record<string, string> };

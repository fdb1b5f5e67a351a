import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { CredentialThrottle } from '../accounts/throttle/credential-throttle.ts';
import type { ResourceRegistry } from '../oidc/resource-registry.ts';
import type { EmailVerification } from '../accounts/self-service/email-verification.ts';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import type { SecondFactors } from '../oidc/interactions/interaction-context.ts';
import type { Pages } from '../pages/pages.ts';
import type { AccountRecord, Store } from '../store/store.ts';
import type { AuthorizationDeclarations } from '../config/schema.ts';

/** What the account pages need, passed in by the composition root. */
export interface AccountDeps {
  provider: Provider;
  store: Store;
  accounts: AccountsService;
  securityEvents: SecurityEvents;
  pages: Pages;
  csrfSecret: string;
  secondFactors: SecondFactors;
  credentialThrottle: CredentialThrottle;
  resources: ResourceRegistry;
  /** The operator's attributes (the person edits those declared userEditable) and claim scopes. */
  declarations: AuthorizationDeclarations;
  /** Mail is configured: verification links can be sent. */
  mailEnabled: boolean;
  /** Sends verification links; present when mail is configured. */
  emailVerification?: EmailVerification;
  /** The shipped languages (I18n.locales): the profile's language choices. */
  languages: readonly string[];
  /** config `account.selfDelete`: a person may delete their own account. */
  selfDelete: boolean;
  /** config `account.dataExportAuditEvents`: the most audit events one download holds. */
  dataExportAuditEvents: number;
}

/** The signed-in person on an account page: their account and the Keyline session it came from. */
export interface SignedInAccount {
  account: AccountRecord;
  sessionUid: string;
  /** Epoch seconds of the last sign-in with a password or passkey. */
  loginTs: number;
  acr: string | undefined;
  csrfToken: string;
}

export type AccountContext = Context & { state: KeylineState & { signedIn?: SignedInAccount }; params: Record<string, string> };

import type Provider from 'oidc-provider';
import type { SecretSealer } from '../accounts/factors/secret-sealer.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { PasswordReset } from '../accounts/self-service/password-reset.ts';
import type { SecurityEvents } from '../audit/security-events.ts';
import type { AttributeDeclaration } from '../config/schema.ts';
import type { SigningKeyManager } from '../keys/signing-key-manager.ts';
import type { JwtJudgement } from '../oidc/jwt-access-tokens/jwt-access-token-state.ts';
import type { ResourceRegistry } from '../oidc/resource-registry.ts';
import type { SecuritySignals } from '../signals/security-signals.ts';
import type { Store } from '../store/store.ts';

/** What the admin API works with: the running server's own services, from the composition root. */
export interface AdminDependencies {
  issuer: string;
  store: Store;
  accounts: AccountsService;
  /** The stable stand-in for the current oidc-provider (client settings are validated with its schema). */
  provider: Provider;
  resources: ResourceRegistry;
  /** `outbound.allowPrivateNetworks`: whether a client's jwks_uri may be plain http (development only). */
  allowPrivateNetworks: boolean;
  /** The operator's custom attributes (config `attributes:`), which users' attributes are checked against. */
  attributes: readonly AttributeDeclaration[];
  /** The operator's claim scopes (config `claims:`), which clients may be given like OpenID scopes. */
  claimScopes: readonly string[];
  keys: SigningKeyManager;
  /** The secrets-at-rest cipher: upstream secrets are sealed with it the moment they arrive. */
  sealer: SecretSealer;
  securityEvents: SecurityEvents;
  /** Shared-signals events (token-claims-change when a person's groups or roles change). */
  signals: SecuritySignals;
  /** Mails password-reset links; undefined without an SMTP server. */
  passwordReset: PasswordReset | undefined;
  /** The locale of a mail to a person who has not chosen one (i18n.defaultLocale). */
  defaultLocale: string;
  /** Judges a JWT access token with the current provider's keys (see JwtAccessTokenState). */
  judgeAccessToken(token: string): Promise<JwtJudgement>;
}

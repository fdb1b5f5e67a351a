import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountsService } from '../../accounts/accounts-service.ts';
import type { CredentialThrottle } from '../../accounts/throttle/credential-throttle.ts';
import type { SecurityEvents } from '../../audit/security-events.ts';
import type { KeylineState } from '../../http/keyline-state.ts';
import type { Pages } from '../../pages/pages.ts';
import type { Store } from '../../store/store.ts';
import type { ResourceRegistry } from '../resource-registry.ts';

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
}

export type InteractionContext = Context & { state: KeylineState; params: Record<string, string> };

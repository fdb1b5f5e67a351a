import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountsService } from '../../accounts/accounts-service.ts';
import type { CredentialThrottle } from '../../accounts/throttle/credential-throttle.ts';
import type { Pages } from '../../http/pages.ts';
import type { KeylineState } from '../../http/keyline-state.ts';
import type { Store } from '../../store/store.ts';

/** What every interaction step needs, passed in by the composition root. */
export interface InteractionDeps {
  provider: Provider;
  store: Store;
  accounts: AccountsService;
  credentialThrottle: CredentialThrottle;
  pages: Pages;
  csrfSecret: string;
}

export type InteractionContext = Context & { state: KeylineState; params: Record<string, string> };

import type { ClientMetadata } from 'oidc-provider';

/**
 * Keyline's own account pages are a first-party client of Keyline: people sign in to them through
 * the same /auth, login page, second factors and policies as to any app. They need no tokens, only
 * the session. It still uses the one response type Keyline offers, `code` with PKCE, so that
 * discovery keeps advertising `code` alone; the code is never redeemed (its verifier is thrown away
 * at once, so nobody can) and expires unused. The client is never asked for consent, and is
 * configured in oidc-provider, not stored: nobody can edit or remove it.
 */
export const ACCOUNT_CLIENT_ID = 'keyline-account';
export const ACCOUNT_CALLBACK_PATH = '/account/callback';

export function accountClientMetadata(issuer: string, productName: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: `${productName} account`,
    redirect_uris: [new URL(ACCOUNT_CALLBACK_PATH, issuer).href],
    post_logout_redirect_uris: [new URL('/', issuer).href],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
  };
}

export function isAccountClient(clientId: string | undefined): boolean {
  return clientId === ACCOUNT_CLIENT_ID;
}

import type { ResourceDefinition } from './resource-registry.ts';

/** Where the admin REST API is served, below the issuer. */
export const ADMIN_API_PATH = '/admin/v1';
/** Reads and writes through the admin API. */
export const ADMIN_SCOPE = 'keyline:admin';
/** Reads only. */
export const ADMIN_READ_SCOPE = 'keyline:admin:read';
/** The help desk's operations only: read users, unlock, reset second factors, send reset links, end sessions. */
export const ADMIN_HELPDESK_SCOPE = 'keyline:helpdesk';

/** The admin API's resource indicator: the `aud` of the tokens it accepts. */
export function adminApiIndicator(issuer: string): string {
  return `${issuer}${ADMIN_API_PATH}`;
}

/**
 * The admin API is an API resource like any other, built in: present without configuration, with
 * its two scopes, so a client given it gets JWT access tokens for it through client credentials.
 */
export function adminApiResource(issuer: string): ResourceDefinition {
  return {
    indicator: adminApiIndicator(issuer),
    name: 'Keyline admin API',
    scopes: [ADMIN_SCOPE, ADMIN_READ_SCOPE, ADMIN_HELPDESK_SCOPE],
    signingAlg: 'RS256',
    accessTokenTtl: undefined,
    metadataUri: undefined,
    // A person reaches the admin API through the built-in roles; a client through its registered scopes.
    rbac: 'people',
    source: 'builtin',
  };
}

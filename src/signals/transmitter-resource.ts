import type { ResourceDefinition } from '../oidc/resource-registry.ts';

/** The scope a receiver's token needs for the stream management API and the poll endpoints. */
export const SSF_SCOPE = 'ssf';

/**
 * The shared-signals API is a resource like any API Keyline issues tokens for: a receiver is a
 * client registered with `--grant-types client_credentials --resource <issuer>/ssf --scopes ssf`,
 * and gets a JWT access token with that audience and scope.
 */
export function transmitterResource(issuer: string): string {
  return `${issuer}/ssf`;
}

/** The transmitter's own API, built in while signals are on (the CLI cannot remove it). */
export function transmitterResourceDefinition(issuer: string): ResourceDefinition {
  return {
    indicator: transmitterResource(issuer), name: 'Shared signals', scopes: [SSF_SCOPE], signingAlg: 'RS256',
    accessTokenTtl: undefined, metadataUri: undefined, rbac: false, source: 'builtin',
  };
}

import type { Config, ResourceConfig } from '../config/schema.ts';

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

/** The configured APIs plus, while signals are on, the transmitter's own (which the CLI cannot remove). */
export function withTransmitterResource(config: Config): Config['resources'] {
  if (!config.signals.enabled) return config.resources;
  const transmitter: ResourceConfig = { name: 'Shared signals', scopes: [SSF_SCOPE], signingAlg: 'RS256' };
  return { [transmitterResource(config.issuer)]: transmitter, ...config.resources };
}

import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { clientResources } from './keyline-client-metadata.ts';

/**
 * Access tokens for an API are JWTs (RFC 9068) bound to that API as `aud`.
 * A client may only ask for the resources registered with it; per-resource options and the API's
 * scopes come from config.
 */
export function resourceServerInfo(config: Config) {
  return async (_ctx: KoaContextWithOIDC, resourceIndicator: string, client: Client): Promise<ResourceServer> => {
    if (!clientResources(client).includes(resourceIndicator)) {
      throw new errors.InvalidTarget(`resource ${resourceIndicator} is not registered for this client`);
    }
    const resource = config.resources[resourceIndicator];
    const scope = resource?.scopes.join(' ') ?? '';
    return {
      audience: resourceIndicator,
      scope,
      accessTokenFormat: 'jwt',
      accessTokenTTL: resource?.accessTokenTtl ?? config.ttl.accessToken,
      jwt: { sign: { alg: resource?.signingAlg ?? 'RS256' } },
    };
  };
}

/**
 * A client's first registered resource is its default only for client_credentials, where no user
 * is involved. User flows name their API with `resource`, and otherwise get a token for userinfo
 * (the model Auth0 uses with `audience`).
 */
export async function defaultResource(ctx: KoaContextWithOIDC, client: Client, oneOf?: readonly string[]) {
  if (oneOf) return oneOf;
  if (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials') {
    return clientResources(client)[0];
  }
  return undefined;
}

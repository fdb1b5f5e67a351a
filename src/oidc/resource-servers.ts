import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { clientApiScopes, clientResources } from './keyline-client-metadata.ts';
import type { ResourceRegistry } from './resource-registry.ts';

/**
 * Access tokens for an API are JWTs (RFC 9068) bound to that API as `aud`. A client may only ask
 * for the resources registered with it, and gets only the API scopes it was registered with that
 * the API has. oidc-provider asks this on every request that needs it, so an API or scope added
 * with the CLI is honoured at once: API scopes never go into oidc-provider's start-time `scopes`.
 * A resource registered with a client but declared nowhere is an audience with no scopes.
 */
export function resourceServerInfo(config: Config, registry: ResourceRegistry) {
  return async (_ctx: KoaContextWithOIDC, resourceIndicator: string, client: Client): Promise<ResourceServer> => {
    if (!clientResources(client).includes(resourceIndicator)) {
      throw new errors.InvalidTarget(`resource ${resourceIndicator} is not registered for this client`);
    }
    const resource = await registry.find(resourceIndicator);
    const allowed = new Set(clientApiScopes(client));
    return {
      audience: resourceIndicator,
      scope: (resource?.scopes ?? []).filter((scope) => allowed.has(scope)).join(' '),
      accessTokenFormat: 'jwt',
      accessTokenTTL: resource?.accessTokenTtl ?? config.ttl.accessToken,
      jwt: { sign: { alg: (resource?.signingAlg ?? 'RS256') as 'RS256' } },
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

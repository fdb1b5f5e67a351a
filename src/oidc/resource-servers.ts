import { errors, type Client, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { clientApiScopes, clientResources } from './keyline-client-metadata.ts';
import type { RbacTokenAccess, TokenSubject } from './rbac-token-access.ts';

/** Who the token being issued at the token endpoint is for; undefined for a grant that names no one. */
function tokenEndpointSubject(ctx: KoaContextWithOIDC, client: Client): TokenSubject | undefined {
  if (ctx.oidc.params?.grant_type === 'client_credentials') return { kind: 'client', id: client.clientId };
  const accountId = (ctx.oidc.entities.Account as { accountId?: string } | undefined)?.accountId;
  return accountId ? { kind: 'user', id: accountId } : undefined;
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

/**
 * Access tokens for an API are JWTs (RFC 9068) bound to that API as `aud`. A client may only ask
 * for the resources registered with it, and gets only the API scopes it was registered with that
 * the API has. oidc-provider asks this on every request that needs it, so an API or scope added
 * with the CLI is honoured at once: API scopes never go into oidc-provider's start-time `scopes`.
 * A resource registered with a client but declared nowhere is an audience with no scopes.
 *
 * On an API with RBAC, the token endpoint narrows that further to what the subject's roles permit
 * (read once per request, see RbacTokenAccess): every grant that issues a token for it passes here
 * (authorization_code, refresh_token, device_code, client_credentials). The authorization endpoint
 * (and PAR, device authorization) does not narrow: the person may not be known yet, consent
 * records what the client asked for, and roles are judged again at every token request anyway.
 */
export function resourceServerInfo(config: Config, rbac: RbacTokenAccess) {
  return async (ctx: KoaContextWithOIDC, resourceIndicator: string, client: Client): Promise<ResourceServer> => {
    if (!clientResources(client).includes(resourceIndicator)) {
      throw new errors.InvalidTarget(`resource ${resourceIndicator} is not registered for this client`);
    }
    const resource = await rbac.resource(ctx, resourceIndicator);
    const allowed = new Set(clientApiScopes(client));
    let scopes = (resource?.scopes ?? []).filter((scope) => allowed.has(scope));
    if (ctx.oidc.route === 'token') {
      const access = await rbac.forResource(ctx, resourceIndicator, tokenEndpointSubject(ctx, client));
      if (access) {
        const permitted = new Set(access.permissions);
        scopes = scopes.filter((scope) => permitted.has(scope));
        // A machine asking only for what no role gives it learns so; a person's token simply lacks the scope.
        const asked = requestedScopes(ctx);
        if (ctx.oidc.params?.grant_type === 'client_credentials' && asked.length > 0 && !asked.some((scope) => scopes.includes(scope))) {
          throw new errors.InvalidScope(`none of the requested scopes is both registered for this client and permitted by its roles on ${resourceIndicator}`, asked.join(' '));
        }
      }
    }
    return {
      audience: resourceIndicator,
      scope: scopes.join(' '),
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

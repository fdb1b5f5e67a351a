import { discoverAuthorizationServer, type AuthorizationServer } from './authorization-server.ts';
import { memoryReplayCache, verifyDpopProof, type ProofReplayCache } from './dpop-proof.ts';
import { header } from './header.ts';
import { metadataUrl, protectedResourceMetadata, type ResourceDescription } from './protected-resource-metadata.ts';
import { requireScopes, type Requirement } from './requirements.ts';
import type { AccessTokenClaims, IncomingRequest, RevocationCheck, Verdict } from './types.ts';
import { verifyAccessToken } from './verify-access-token.ts';

export interface ResourceServerOptions extends Omit<ResourceDescription, 'authorizationServers'> {
  /** Keyline's issuer URL. */
  issuer: string;
  /** How revocations are learnt before a token expires; by default none (JWTs verified offline). */
  revocation?: (server: AuthorizationServer) => RevocationCheck;
  replayCache?: ProofReplayCache;
  /** Leeway for clock differences when checking `exp` and `iat`, in seconds (default 5). */
  clockToleranceSeconds?: number;
}

/** A requirement, or a list of scopes (shorthand for `requireScopes(...list)`). */
export type RequirementOrScopes = Requirement | readonly string[];

export interface ResourceServer {
  /** Checks the request's access token; every requirement must be met (`authorize` on the result). */
  authenticate(request: IncomingRequest, ...required: RequirementOrScopes[]): Promise<Verdict>;
  /**
   * Checks an accepted verdict against a route's requirements: the same verdict when all are met
   * (or when it was a refusal already), otherwise a 403 `insufficient_scope` whose challenge names
   * every scope the route needs, so the client can ask for them.
   */
  authorize(verdict: Verdict, ...required: RequirementOrScopes[]): Verdict;
  /** The RFC 9728 document and the path to serve it at. */
  metadata: { path: string; document: Record<string, unknown> };
}

/** authenticate accepts a DPoP-bound token only with the DPoP scheme, so its challenges use that scheme (RFC 9449 §7.1). */
function challengeScheme(claims: AccessTokenClaims): string {
  return claims.cnf?.jkt ? 'DPoP' : 'Bearer';
}

function asRequirements(item: RequirementOrScopes): Requirement[] {
  if (!isScopeList(item)) return [item];
  return item.length ? [requireScopes(...item)] : [];
}

function isScopeList(item: RequirementOrScopes): item is readonly string[] {
  return Array.isArray(item);
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * Verifies Keyline access tokens for one resource, the way RFC 6750, 9068, 9449 and 9728 ask: a
 * Bearer (or DPoP) token in the Authorization header, verified offline against Keyline's JWKS,
 * checked for revocation where configured, answered with a WWW-Authenticate challenge that points
 * clients at this resource's metadata.
 */
export async function createResourceServer(options: ResourceServerOptions): Promise<ResourceServer> {
  const server = await discoverAuthorizationServer(options.issuer);
  const revocation = options.revocation?.(server);
  const replays = options.replayCache ?? memoryReplayCache();
  const metadataLocation = metadataUrl(options.resource);

  function refuse(status: 400 | 401 | 403, description: string, error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope', scheme = 'Bearer', scope?: string): Verdict {
    const parameters = [`resource_metadata=${quoted(metadataLocation)}`];
    if (error) parameters.push(`error=${quoted(error)}`, `error_description=${quoted(description)}`);
    if (scope) parameters.push(`scope=${quoted(scope)}`);
    return { ok: false, status, ...(error ? { error } : {}), description, ...(scope ? { scope } : {}), wwwAuthenticate: `${scheme} ${parameters.join(', ')}` };
  }

  function authorize(verdict: Verdict, ...required: RequirementOrScopes[]): Verdict {
    if (!verdict.ok) return verdict;
    const requirements = required.flatMap(asRequirements);
    const shortfalls = requirements.map((requirement) => requirement.shortfall(verdict.claims)).filter((reason) => reason !== undefined);
    if (shortfalls.length === 0) return verdict;
    const scope = [...new Set(requirements.flatMap((requirement) => requirement.scopes))].join(' ');
    return refuse(403, shortfalls.join('; '), 'insufficient_scope', challengeScheme(verdict.claims), scope);
  }

  return {
    metadata: {
      path: new URL(metadataLocation).pathname,
      document: protectedResourceMetadata({ ...options, authorizationServers: [options.issuer] }),
    },

    authorize,

    async authenticate(request, ...required) {
      const authorization = header(request, 'authorization') ?? '';
      const [, scheme, token] = /^(Bearer|DPoP)\s+([\w.~+/-]+=*)$/i.exec(authorization.trim()) ?? [];
      if (!scheme || !token) return refuse(401, 'an access token is required', authorization ? 'invalid_request' : undefined);
      const dpop = scheme.toLowerCase() === 'dpop';

      let claims;
      try {
        claims = await verifyAccessToken(token, server, options.resource, options.clockToleranceSeconds);
      } catch (error) {
        return refuse(401, `the access token is not valid: ${(error as Error).message}`, 'invalid_token', dpop ? 'DPoP' : 'Bearer');
      }

      const boundKey = claims.cnf?.jkt;
      if (boundKey || dpop || options.dpopRequired) {
        const proof = header(request, 'dpop');
        if (!boundKey) return refuse(401, 'this resource requires DPoP-bound access tokens', 'invalid_token', 'DPoP');
        if (!dpop || !proof) return refuse(401, 'a DPoP-bound token must be sent with the DPoP scheme and a proof', 'invalid_token', 'DPoP');
        try {
          await verifyDpopProof(proof, { method: request.method, url: request.url, accessToken: token, jkt: boundKey }, replays);
        } catch (error) {
          return refuse(401, (error as Error).message, 'invalid_token', 'DPoP');
        }
      }

      if (revocation && await revocation.isRevoked(token, claims)) return refuse(401, 'the access token has been revoked', 'invalid_token');

      return authorize({ ok: true, claims }, ...required);
    },
  };
}

import { discoverAuthorizationServer, type AuthorizationServer } from './authorization-server.ts';
import { memoryReplayCache, verifyDpopProof, type ProofReplayCache } from './dpop-proof.ts';
import { header } from './header.ts';
import { metadataUrl, protectedResourceMetadata, type ResourceDescription } from './protected-resource-metadata.ts';
import type { IncomingRequest, RevocationCheck, Verdict } from './types.ts';
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

export interface ResourceServer {
  /** Checks the request's access token; `required` scopes must all be granted. */
  authenticate(request: IncomingRequest, required?: string[]): Promise<Verdict>;
  /** The RFC 9728 document and the path to serve it at. */
  metadata: { path: string; document: Record<string, unknown> };
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

  function refuse(status: 400 | 401 | 403, description: string, error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope', scheme = 'Bearer'): Verdict {
    const parameters = [`resource_metadata=${quoted(metadataLocation)}`];
    if (error) parameters.push(`error=${quoted(error)}`, `error_description=${quoted(description)}`);
    return { ok: false, status, ...(error ? { error } : {}), description, wwwAuthenticate: `${scheme} ${parameters.join(', ')}` };
  }

  return {
    metadata: {
      path: new URL(metadataLocation).pathname,
      document: protectedResourceMetadata({ ...options, authorizationServers: [options.issuer] }),
    },

    async authenticate(request, required = []) {
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

      const granted = new Set((claims.scope ?? '').split(' ').filter(Boolean));
      const missing = required.filter((scope) => !granted.has(scope));
      if (missing.length) return refuse(403, `the access token lacks the scope ${missing.join(' ')}`, 'insufficient_scope');
      return { ok: true, claims };
    },
  };
}

import type { AuthorizationServer } from './authorization-server.ts';
import type { AccessTokenClaims, RevocationCheck } from './types.ts';

export interface IntrospectionOptions {
  /** This API's own client registration at Keyline (a confidential client with the API's resource). */
  clientId: string;
  clientSecret: string;
  /**
   * How long an answer is reused, in seconds: the longest a revocation can go unseen. A token is
   * never trusted past its own `exp`. 0 asks Keyline on every request.
   */
  cacheSeconds?: number;
  timeoutMs?: number;
}

/**
 * Revocation by RFC 7662 introspection: Keyline answers `active: false` from the moment a token,
 * its grant, session or account is revoked. If Keyline cannot be asked, the token is refused
 * (fail closed): an API that prefers availability should use a longer cache.
 */
export function introspectionCheck(server: AuthorizationServer, options: IntrospectionOptions): RevocationCheck {
  const endpoint = server.introspectionEndpoint;
  if (!endpoint) throw new Error(`${server.issuer} publishes no introspection_endpoint`);
  const cacheMs = (options.cacheSeconds ?? 30) * 1000;
  const answers = new Map<string, { active: boolean; until: number }>();
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;

  return {
    async isRevoked(token: string, claims: AccessTokenClaims): Promise<boolean> {
      const now = Date.now();
      const cached = answers.get(claims.jti);
      if (cached && cached.until > now) return !cached.active;
      let active = false;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
          signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
        });
        active = response.ok && (await response.json() as { active?: unknown }).active === true;
      } catch {
        return true;
      }
      if (cacheMs > 0) {
        for (const [jti, answer] of answers) if (answer.until <= now) answers.delete(jti);
        answers.set(claims.jti, { active, until: Math.min(now + cacheMs, claims.exp * 1000) });
      }
      return !active;
    },
  };
}

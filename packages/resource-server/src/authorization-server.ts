import { createRemoteJWKSet } from 'jose';

export interface AuthorizationServer {
  issuer: string;
  jwksUri: string;
  introspectionEndpoint?: string;
  /** Where a client of Keyline (this API's own registration) gets tokens, for introspection-free flows such as signals. */
  tokenEndpoint?: string;
  keys: ReturnType<typeof createRemoteJWKSet>;
}

/**
 * Keyline's discovery document, read once; its JWKS is fetched by jose on demand and refreshed
 * when a token names a key it has not seen (a rotation), at most every `cooldownMs`.
 */
export async function discoverAuthorizationServer(issuer: string, options: { cooldownMs?: number; timeoutMs?: number } = {}): Promise<AuthorizationServer> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
  if (!response.ok) throw new Error(`cannot read ${issuer}'s discovery document: HTTP ${response.status}`);
  const discovery = await response.json() as { issuer?: string; jwks_uri?: string; introspection_endpoint?: string; token_endpoint?: string };
  if (discovery.issuer !== issuer) throw new Error(`discovery at ${issuer} names another issuer (${discovery.issuer})`);
  if (!discovery.jwks_uri) throw new Error(`discovery at ${issuer} has no jwks_uri`);
  return {
    issuer,
    jwksUri: discovery.jwks_uri,
    introspectionEndpoint: discovery.introspection_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    keys: createRemoteJWKSet(new URL(discovery.jwks_uri), {
      cooldownDuration: options.cooldownMs ?? 30_000,
      timeoutDuration: options.timeoutMs ?? 5000,
    }),
  };
}

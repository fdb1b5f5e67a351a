export interface ResourceDescription {
  /** The resource identifier, exactly as registered at Keyline and used as `aud`. */
  resource: string;
  authorizationServers: string[];
  scopesSupported?: string[];
  resourceName?: string;
  resourceDocumentation?: string;
  /** Refuse tokens that are not DPoP-bound (RFC 9449). */
  dpopRequired?: boolean;
}

/**
 * RFC 9728 §3: the metadata lives at the resource's origin with `/.well-known/oauth-protected-resource`
 * inserted before the resource's path, so one host can describe several resources.
 */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/** RFC 9728 §2: what a client or authorization server needs to know to call this resource. */
export function protectedResourceMetadata(description: ResourceDescription): Record<string, unknown> {
  return {
    resource: description.resource,
    authorization_servers: description.authorizationServers,
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
    dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
    ...(description.dpopRequired ? { dpop_bound_access_tokens_required: true } : {}),
    ...(description.scopesSupported ? { scopes_supported: description.scopesSupported } : {}),
    ...(description.resourceName ? { resource_name: description.resourceName } : {}),
    ...(description.resourceDocumentation ? { resource_documentation: description.resourceDocumentation } : {}),
  };
}

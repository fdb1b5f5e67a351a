import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import { clientResources } from './keyline-client-metadata.ts';

interface IntrospectedToken {
  clientId?: string;
  aud?: string | string[];
  resourceServer?: { audience?: string };
}

/**
 * Who may learn about a token: the client it was issued to, or a resource server client whose
 * registered resources include the token's audience. Public clients only ever see their own tokens.
 */
export function introspectionAllowed(_ctx: KoaContextWithOIDC, caller: Client, token: unknown): boolean {
  const { clientId, aud, resourceServer } = token as IntrospectedToken;
  if (clientId === caller.clientId) return true;
  if (caller.clientAuthMethod === 'none') return false;
  const audiences = [aud, resourceServer?.audience].flat().filter((value): value is string => typeof value === 'string');
  const callerResources = clientResources(caller);
  return audiences.some((audience) => callerResources.includes(audience));
}

/** RFC 7009: a client may revoke only the tokens issued to it. */
export function revocationAllowed(_ctx: KoaContextWithOIDC, caller: Client, token: unknown): boolean {
  return (token as IntrospectedToken).clientId === caller.clientId;
}

import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import { generateClientSecret, hashClientSecret } from './client-secrets.ts';
import { PKCE_OPTIONAL, RESOURCES } from './keyline-client-metadata.ts';

export interface ClientRegistration {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  scopes: string;
  isPublic: boolean;
  pkceOptional: boolean;
  resources: string[];
  idTokenAlg?: string;
  authMethod?: string;
}

export interface RegisteredClient {
  clientId: string;
  /** Present only for confidential clients, and only now: the store keeps a hash. */
  clientSecret?: string;
  metadata: Record<string, unknown>;
}

/** 96 random bits; never with a leading '-', which a command line would read as an option (`keyline clients remove -x…`). */
function newClientId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Builds the stored metadata for a new client and validates it with oidc-provider's own schema. */
export async function registerClient(provider: Provider, registration: ClientRegistration): Promise<RegisteredClient> {
  const clientId = newClientId();
  const clientSecret = registration.isPublic ? undefined : generateClientSecret();
  const userFlow = registration.grantTypes.includes('authorization_code');
  const metadata: Record<string, unknown> = {
    client_id: clientId,
    client_name: registration.name,
    grant_types: registration.grantTypes,
    response_types: userFlow ? ['code'] : [],
    redirect_uris: registration.redirectUris,
    post_logout_redirect_uris: registration.postLogoutRedirectUris,
    ...(registration.scopes ? { scope: registration.scopes } : {}),
    token_endpoint_auth_method: registration.isPublic ? 'none' : registration.authMethod ?? 'client_secret_basic',
    ...(clientSecret ? { client_secret: hashClientSecret(clientSecret) } : {}),
    ...(registration.pkceOptional ? { [PKCE_OPTIONAL]: true } : {}),
    ...(registration.resources.length ? { [RESOURCES]: registration.resources } : {}),
    ...(registration.idTokenAlg ? { id_token_signed_response_alg: registration.idTokenAlg } : {}),
  };
  await provider.Client.validate(metadata as ClientMetadata);
  return { clientId, clientSecret, metadata };
}

/** The metadata minus the secret hash, for display. */
export function publicMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _hash, ...shown } = metadata;
  return shown;
}

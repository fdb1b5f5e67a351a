import * as client from 'openid-client';
import { isLoopbackRelay } from '../../mail/relay-encryption.ts';
import type { OutboundFetch } from '../../outbound/outbound-fetch.ts';

/**
 * An openid-client Configuration for one call to an upstream, built when it is needed (so a secret
 * in its client authentication lives no longer than the call): every request it makes goes through
 * the one guarded outbound fetch, and plain http is allowed only to a loopback host, which the
 * settings schema already restricts it to.
 */
export function upstreamClient(
  fetch: OutboundFetch, metadata: client.ServerMetadata, clientId: string, authentication: client.ClientAuth, clientMetadata: Partial<client.ClientMetadata> = {},
): client.Configuration {
  const config = new client.Configuration(metadata, clientId, clientMetadata, authentication);
  config[client.customFetch] = fetch as client.CustomFetch;
  if (onlyLoopbackHttp(metadata)) client.allowInsecureRequests(config);
  return config;
}

/** True when some endpoint is plain http and every http one is loopback; https everywhere needs nothing. */
function onlyLoopbackHttp(metadata: client.ServerMetadata): boolean {
  const urls = Object.values(metadata).filter((value): value is string => typeof value === 'string' && /^https?:\/\//i.test(value)).map((value) => new URL(value));
  const plain = urls.filter((url) => url.protocol === 'http:');
  return plain.length > 0 && plain.every((url) => isLoopbackRelay(url.hostname));
}

/**
 * The authorization request of the code flow every redirect upstream starts with: a fresh state and
 * PKCE S256 verifier, the type's own parameters (scope, nonce, login hint...), and what the callback
 * needs kept (state, verifier, the redirect URI it must repeat).
 */
export async function codeFlowStart(
  config: client.Configuration, redirectUri: string, parameters: Record<string, string>, kept: Record<string, string> = {},
): Promise<{ kind: 'redirect'; location: string; pending: Record<string, string> }> {
  const state = client.randomState();
  const codeVerifier = client.randomPKCECodeVerifier();
  const location = client.buildAuthorizationUrl(config, {
    ...parameters,
    redirect_uri: redirectUri,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).href;
  return { kind: 'redirect', location, pending: { ...kept, state, codeVerifier, redirectUri } };
}

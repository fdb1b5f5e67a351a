import * as client from 'openid-client';
import type { UpstreamRecord } from '../../store/store.ts';
import { mapIdentity } from '../map-identity.ts';
import {
  UpstreamError, type MappedIdentity, type UpstreamConnector, type UpstreamFinishInput, type UpstreamIdentity, type UpstreamStart, type UpstreamStartResult,
} from '../upstream.ts';
import { asUpstreamError } from './as-upstream-error.ts';
import { clientAuthentication } from './client-authentication.ts';
import { claimNamesOf, identityFromClaims } from './identity-from-claims.ts';
import type { RedirectConnectorDeps } from './oidc.ts';
import { codeFlowStart, upstreamClient } from './upstream-client.ts';

/** GitHub's API refuses a request without a User-Agent. */
const API_HEADERS = { accept: 'application/json', 'user-agent': 'Keyline' };

/**
 * OAuth 2.0 upstreams without OpenID Connect (GitHub and the like), through openid-client: the
 * code flow with PKCE S256 and state to the endpoints in the settings, then the user endpoint's
 * JSON as the claims. With an `emailsEndpoint` (GitHub's /user/emails) the email is the primary
 * one and counts as verified only when that endpoint says so; the profile's own email never does.
 */
export class OAuth2Connector implements UpstreamConnector {
  readonly type = 'oauth2' as const;
  readonly step = 'redirect' as const;
  readonly #deps: RedirectConnectorDeps;

  constructor(deps: RedirectConnectorDeps) {
    this.#deps = deps;
  }

  async start(input: UpstreamStart): Promise<UpstreamStartResult> {
    const { upstream } = input;
    const config = upstreamClient(this.#deps.fetch, metadataOf(upstream), String(upstream.settings.clientId), client.None());
    const scopes = (upstream.settings.scopes as string[] | undefined) ?? [];
    return codeFlowStart(config, input.callbackUrl, {
      ...(scopes.length ? { scope: scopes.join(' ') } : {}),
      ...(input.loginHint ? { login: input.loginHint } : {}),
    });
  }

  async finish(upstream: UpstreamRecord, input: UpstreamFinishInput): Promise<UpstreamIdentity> {
    if (input.kind !== 'redirect') throw new UpstreamError('misconfigured', 'an oauth2 upstream finishes with a redirect');
    const { pending } = input;
    let config: client.Configuration;
    let accessToken: string;
    try {
      config = upstreamClient(this.#deps.fetch, metadataOf(upstream), String(upstream.settings.clientId), await clientAuthentication(this.#deps.sealer, upstream));
      const url = new URL(pending.redirectUri!);
      for (const [name, value] of Object.entries(input.parameters)) url.searchParams.set(name, value);
      accessToken = (await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.codeVerifier!, expectedState: pending.state! })).access_token;
    } catch (error) {
      throw asUpstreamError(error, 'code exchange');
    }
    const claims = await this.#json(config, accessToken, String(upstream.settings.userinfoEndpoint), 'user endpoint');
    if (Array.isArray(claims) || claims === null || typeof claims !== 'object') throw new UpstreamError('invalid_response', 'user endpoint: not a JSON object');
    const profile = { ...claims as Record<string, unknown> };
    if (typeof upstream.settings.emailsEndpoint === 'string') Object.assign(profile, await this.#primaryEmail(upstream, config, accessToken));
    return identityFromClaims(upstream, profile);
  }

  map(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity {
    return mapIdentity(upstream.mapping, identity);
  }

  /** The primary address from the emails endpoint, verified as that endpoint says; no primary: the profile's, unverified. */
  async #primaryEmail(upstream: UpstreamRecord, config: client.Configuration, accessToken: string): Promise<Record<string, unknown>> {
    const names = claimNamesOf(upstream);
    const verifiedClaim = names.emailVerified ?? 'email_verified';
    const emails = await this.#json(config, accessToken, String(upstream.settings.emailsEndpoint), 'emails endpoint');
    if (!Array.isArray(emails)) throw new UpstreamError('invalid_response', 'emails endpoint: not a JSON array');
    const primary = emails.find((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null && entry.primary === true && typeof entry.email === 'string');
    if (!primary) return { [verifiedClaim]: false };
    return { [names.email]: primary.email, [verifiedClaim]: primary.verified === true };
  }

  async #json(config: client.Configuration, accessToken: string, endpoint: string, step: string): Promise<unknown> {
    let response: Response;
    try {
      response = await client.fetchProtectedResource(config, accessToken, new URL(endpoint), 'GET', undefined, new Headers(API_HEADERS));
    } catch (error) {
      throw asUpstreamError(error, step);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UpstreamError(response.status >= 500 ? 'unreachable' : 'invalid_response', `${step}: answered HTTP ${response.status}`);
    }
    try {
      return await response.json();
    } catch (error) {
      throw asUpstreamError(error, step);
    }
  }
}

/** What openid-client needs to know of a provider without discovery; its issuer is the authorization endpoint's origin. */
function metadataOf(upstream: UpstreamRecord): client.ServerMetadata {
  const authorization = String(upstream.settings.authorizationEndpoint);
  return {
    issuer: typeof upstream.settings.issuer === 'string' ? upstream.settings.issuer : new URL(authorization).origin,
    authorization_endpoint: authorization,
    token_endpoint: String(upstream.settings.tokenEndpoint),
    userinfo_endpoint: String(upstream.settings.userinfoEndpoint),
  };
}

import { timingSafeEqual } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import type { SecretSealer } from '../../accounts/factors/secret-sealer.ts';
import type { OutboundFetch } from '../../outbound/outbound-fetch.ts';
import type { UpstreamRecord } from '../../store/store.ts';
import { mapIdentity } from '../map-identity.ts';
import { TENANT_ID } from '../tenant-issuer.ts';
import type { UpstreamKeys, UpstreamMetadata } from '../upstream-keys.ts';
import {
  UpstreamError, type MappedIdentity, type UpstreamConnector, type UpstreamFinishInput, type UpstreamIdentity, type UpstreamStart, type UpstreamStartResult,
} from '../upstream.ts';
import { asUpstreamError } from './as-upstream-error.ts';
import { clientAuthentication } from './client-authentication.ts';
import { claimNamesOf, identityFromClaims } from './identity-from-claims.ts';
import { codeFlowStart, upstreamClient } from './upstream-client.ts';

export interface RedirectConnectorDeps {
  /** The one guarded outbound fetch. */
  fetch: OutboundFetch;
  /** Opens the upstream's secrets at the moment of use. */
  sealer: SecretSealer;
}

export interface OidcConnectorDeps extends RedirectConnectorDeps {
  /** Upstreams' discovery documents and key sets: the same cache the logout and SET receivers read. */
  keys: UpstreamKeys;
}

/**
 * OpenID Connect upstreams, through openid-client (a certified relying party): the code flow with
 * PKCE S256, state and nonce, RFC 9207's `iss` response parameter (required when the upstream
 * advertises it, and another issuer's always refused), and the id_token checked here with jose
 * against the upstream's JWKS (openid-client leaves the signature of a token-endpoint id_token
 * unchecked, as OIDC Core 3.1.3.7 permits; Keyline does not rely on TLS alone): signature, iss, aud,
 * exp, nonce. The discovery document and key set come from `UpstreamKeys`, the cache the logout and
 * SET receivers read too (its back-off, kid cooldown and asymmetric algorithms apply here). Userinfo fills in what the id_token lacks. Microsoft's multi-tenant issuer is a
 * template (`issuerTemplate`) checked against each id_token's `tid`; one tenant's endpoint (`--tenant`)
 * names that tenant's issuer, which every id_token must then have.
 */
export class OidcConnector implements UpstreamConnector {
  readonly type = 'oidc' as const;
  readonly step = 'redirect' as const;
  readonly #deps: OidcConnectorDeps;

  constructor(deps: OidcConnectorDeps) {
    this.#deps = deps;
  }

  async start(input: UpstreamStart): Promise<UpstreamStartResult> {
    const { upstream } = input;
    const { server } = await this.#discover(upstream);
    const config = upstreamClient(this.#deps.fetch, server, clientIdOf(upstream), client.None());
    const nonce = client.randomNonce();
    const scopes = new Set(['openid', ...((upstream.settings.scopes as string[] | undefined) ?? ['email', 'profile'])]);
    return codeFlowStart(config, input.callbackUrl, {
      scope: [...scopes].join(' '),
      nonce,
      ...(upstream.settings.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    }, { nonce });
  }

  async finish(upstream: UpstreamRecord, input: UpstreamFinishInput): Promise<UpstreamIdentity> {
    if (input.kind !== 'redirect') throw new UpstreamError('misconfigured', 'an oidc upstream finishes with a redirect');
    const { pending } = input;
    const discovered = await this.#discover(upstream);
    const template = multiTenantTemplate(upstream, discovered.issuer);
    // openid-client compares an id_token's iss with the discovered issuer, which for a multi-tenant
    // template is not the tenant's: the id_token is then taken aside and checked below alone.
    let heldIdToken: string | undefined;
    const fetch: OutboundFetch = template ? holdIdToken(this.#deps.fetch, discovered.server.token_endpoint, (token) => { heldIdToken = token; }) : this.#deps.fetch;
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    let config: client.Configuration;
    try {
      config = upstreamClient(fetch, discovered.server, clientIdOf(upstream), await clientAuthentication(this.#deps.sealer, upstream));
      tokens = await client.authorizationCodeGrant(config, callbackUrl(pending.redirectUri!, input.parameters), {
        pkceCodeVerifier: pending.codeVerifier!,
        expectedState: pending.state!,
        ...(template ? {} : { expectedNonce: pending.nonce!, idTokenExpected: true }),
      });
    } catch (error) {
      throw asUpstreamError(error, 'code exchange');
    }
    const idToken = template ? heldIdToken : tokens.id_token;
    if (!idToken) throw new UpstreamError('invalid_response', 'code exchange: the upstream answered no id_token');
    const idClaims = await verifyIdToken(idToken, {
      keys: this.#deps.keys.keySet(discovered.jwksUri), issuer: discovered.issuer, template, clientId: clientIdOf(upstream), nonce: pending.nonce!,
      algorithms: discovered.signingAlgs,
    });
    const claims = await this.#withUserinfo(upstream, config, tokens.access_token, idClaims);
    return identityFromClaims(upstream, claims, {
      ...(Array.isArray(idClaims.amr) ? { amr: idClaims.amr.filter((value): value is string => typeof value === 'string') } : {}),
      ...(typeof idClaims.acr === 'string' ? { acr: idClaims.acr } : {}),
      ...(typeof idClaims.sid === 'string' ? { sessionId: idClaims.sid } : {}),
    });
  }

  map(upstream: UpstreamRecord, identity: UpstreamIdentity): MappedIdentity {
    return mapIdentity(upstream.mapping, identity);
  }

  /** Userinfo, when the id_token lacks a claim the upstream's email or mapping needs; the signed id_token's claims win. */
  async #withUserinfo(upstream: UpstreamRecord, config: client.Configuration, accessToken: string, idClaims: JWTPayload): Promise<Record<string, unknown>> {
    const names = claimNamesOf(upstream);
    const wanted = [names.email, ...(names.emailVerified ? [names.emailVerified] : []), ...Object.keys(upstream.mapping.claims), ...upstream.mapping.groups.map((rule) => rule.claim)];
    if (!config.serverMetadata().userinfo_endpoint || wanted.every((claim) => claim in idClaims)) return idClaims;
    try {
      const userinfo = await client.fetchUserInfo(config, accessToken, String(idClaims.sub));
      return { ...userinfo, ...idClaims };
    } catch (error) {
      throw asUpstreamError(error, 'userinfo');
    }
  }

  async #discover(upstream: UpstreamRecord): Promise<UpstreamMetadata> {
    try {
      return await this.#deps.keys.metadata(String(upstream.settings.issuer), issuerTemplateOf(upstream));
    } catch (error) {
      throw asUpstreamError(error, 'discovery');
    }
  }
}

function clientIdOf(upstream: UpstreamRecord): string {
  return String(upstream.settings.clientId);
}

function issuerTemplateOf(upstream: UpstreamRecord): string | undefined {
  const template = upstream.settings.issuerTemplate;
  return typeof template === 'string' && template.includes('{tenantid}') ? template : undefined;
}

/**
 * The template, when the discovery document names it (a multi-tenant endpoint: each id_token's iss
 * is checked against its tid). A single tenant's endpoint names that tenant's own issuer instead:
 * then there is no template, and every id_token must have exactly that issuer.
 */
function multiTenantTemplate(upstream: UpstreamRecord, discoveredIssuer: string): string | undefined {
  const template = issuerTemplateOf(upstream);
  return template && discoveredIssuer === template ? template : undefined;
}

/** The URL the upstream sent the browser back to, as openid-client reads an authorization response. */
function callbackUrl(redirectUri: string, parameters: Record<string, string>): URL {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url;
}

/** The token endpoint's answer without its id_token, which `hold` gets instead (checked by verifyIdToken). */
function holdIdToken(fetch: OutboundFetch, tokenEndpoint: string | undefined, hold: (idToken: string) => void): OutboundFetch {
  return async (url, options) => {
    const response = await fetch(url, options);
    if (String(url) !== tokenEndpoint || !response.ok) return response;
    const body = await response.json() as Record<string, unknown>;
    if (typeof body.id_token === 'string') hold(body.id_token);
    delete body.id_token;
    return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** An id_token's signature (the upstream's JWKS), issuer (or the tenant's, for a template), audience, expiry and nonce. */
async function verifyIdToken(idToken: string, expected: {
  keys: JWTVerifyGetKey; issuer: string; template: string | undefined; clientId: string; nonce: string; algorithms: string[];
}): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(idToken, expected.keys, {
      audience: expected.clientId,
      ...(expected.template ? {} : { issuer: expected.issuer }),
      algorithms: expected.algorithms,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      clockTolerance: 30,
    });
    if (expected.template) {
      const tid = payload.tid;
      if (typeof tid !== 'string' || !TENANT_ID.test(tid) || payload.iss !== expected.template.replace('{tenantid}', tid)) {
        throw new UpstreamError('invalid_response', 'id_token: its iss is not the tenant issuer its tid names');
      }
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
      throw new UpstreamError('invalid_response', 'id_token: several audiences and Keyline is not its azp');
    }
    if (typeof payload.nonce !== 'string' || !equal(payload.nonce, expected.nonce)) throw new UpstreamError('invalid_response', 'id_token: the nonce is missing or not the one sent');
    return payload;
  } catch (error) {
    throw asUpstreamError(error, 'id_token');
  }
}

import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { ServerMetadata } from 'openid-client';
import type { OutboundFetch } from '../outbound/outbound-fetch.ts';
import { isTenantOf } from './tenant-issuer.ts';

/** What Keyline needs from an upstream's discovery document to check what it signs. */
export interface UpstreamMetadata {
  /** The issuer the document names. */
  issuer: string;
  jwksUri: string;
  /** The asymmetric algorithms it says it signs id_tokens (and so logout tokens) with. */
  signingAlgs: string[];
  /** Where RP-initiated logout goes, when it has one. */
  endSessionEndpoint?: string;
  /** The whole document, for the sign-in connector's openid-client Configuration. */
  server: ServerMetadata;
}

export class UpstreamKeysUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamKeysUnavailable';
  }
}

const DISCOVERY_MAX_AGE_MS = 10 * 60_000;
/** A key set is fetched again for an unknown kid at most this often (jose's cooldown). */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A discovery document or key set that could not be read is not asked for again sooner than this. */
const AFTER_FAILURE_MS = JWKS_COOLDOWN_MS;
/** Errors of choosing a key from a key set that was read: not failures to read it. */
const KEY_CHOICE_ERRORS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED']);
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/;

function asymmetricAlgs(value: unknown): string[] {
  const given = Array.isArray(value) ? value.filter((alg): alg is string => typeof alg === 'string' && ASYMMETRIC.test(alg)) : [];
  return given.length > 0 ? given : ['RS256'];
}

/**
 * Upstreams' discovery documents and key sets, for sign-in, logout tokens and SETs alike: cached per
 * issuer and fetched only through the one guarded outbound fetch. An unknown kid fetches the key set again, at most once per cooldown, and a
 * failed fetch is not tried again before the cooldown either, so a flood of forged tokens (anyone
 * may post them) cannot make Keyline hammer the upstream, least of all one already failing.
 */
export class UpstreamKeys {
  readonly #fetch: OutboundFetch;
  readonly #metadata = new Map<string, { value: Promise<UpstreamMetadata>; until: number }>();
  readonly #keySets = new Map<string, JWTVerifyGetKey>();

  constructor(fetch: OutboundFetch) {
    this.#fetch = fetch;
  }

  /**
   * The issuer's discovery document. Its `issuer` must be exactly the one asked for; with a
   * Microsoft multi-tenant `issuerTemplate` (`…/{tenantid}/…`), the template or one tenant's issuer.
   */
  metadata(issuer: string, issuerTemplate?: string): Promise<UpstreamMetadata> {
    const key = issuerTemplate ? `${issuer} ${issuerTemplate}` : issuer;
    const cached = this.#metadata.get(key);
    if (cached && Date.now() < cached.until) return cached.value;
    const value = this.#discover(issuer, issuerTemplate);
    const entry = { value, until: Date.now() + DISCOVERY_MAX_AGE_MS };
    this.#metadata.set(key, entry);
    value.catch(() => { entry.until = Date.now() + AFTER_FAILURE_MS; });
    return value;
  }

  /** The key set at `jwksUri`, for jose's jwtVerify. */
  keySet(jwksUri: string): JWTVerifyGetKey {
    let keySet = this.#keySets.get(jwksUri);
    if (!keySet) {
      const fetchThroughTheGuard = this.#fetch as unknown as NonNullable<Parameters<typeof createRemoteJWKSet>[1]>[typeof customFetch];
      const remote = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS, [customFetch]: fetchThroughTheGuard });
      let failedAt = Number.NEGATIVE_INFINITY;
      let failure: unknown;
      keySet = async (header, token) => {
        if (Date.now() - failedAt < AFTER_FAILURE_MS) {
          // jose would fetch again for every token (its cooldown counts from the last success): what was read is all there is for now.
          const known = remote.fresh ? remote.jwks() : undefined;
          if (!known) throw new UpstreamKeysUnavailable(`the key set at ${jwksUri} could not be read a moment ago`, { cause: failure });
          return createLocalJWKSet(known)(header, token);
        }
        try {
          return await remote(header, token);
        } catch (error) {
          if (!KEY_CHOICE_ERRORS.has(String((error as { code?: unknown }).code))) [failedAt, failure] = [Date.now(), error];
          throw error;
        }
      };
      this.#keySets.set(jwksUri, keySet);
    }
    return keySet;
  }

  async #discover(issuer: string, template: string | undefined): Promise<UpstreamMetadata> {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: Record<string, unknown>;
    try {
      const response = await this.#fetch(url, { headers: { accept: 'application/json' } });
      if (response.status !== 200) throw Object.assign(new Error(`discovery answered ${response.status}`), { status: response.status });
      document = await response.json() as Record<string, unknown>;
      if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('discovery answered no JSON object');
    } catch (error) {
      throw new UpstreamKeysUnavailable(`cannot read the discovery document of ${issuer}`, { cause: error });
    }
    const named = document.issuer;
    if (typeof named !== 'string' || !(template ? named === template || isTenantOf(template, named) : named === issuer)) throw new UpstreamKeysUnavailable(`the discovery document of ${issuer} names another issuer`);
    if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri)) throw new UpstreamKeysUnavailable(`${issuer} publishes no jwks_uri`);
    const endSession = typeof document.end_session_endpoint === 'string' && URL.canParse(document.end_session_endpoint) ? document.end_session_endpoint : undefined;
    return {
      issuer: named, jwksUri: document.jwks_uri, server: document as unknown as ServerMetadata, signingAlgs: asymmetricAlgs(document.id_token_signing_alg_values_supported),
      ...(endSession ? { endSessionEndpoint: endSession } : {}),
    };
  }
}

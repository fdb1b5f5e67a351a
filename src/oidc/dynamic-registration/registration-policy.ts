import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ARYS } from 'oidc-provider/lib/consts/client_attributes.js';
import type { Config } from '../../config/schema.ts';
import type { Counters } from '../../store/store.ts';
import { FETCHABLE_URL_RULE, isFetchableClientUrl } from '../../outbound/client-url-rule.ts';
import { API_SCOPES, RESOURCES } from '../keyline-client-metadata.ts';
import { redirectUriProblem } from '../redirect-uri-rule.ts';
import { storageKeyOf } from '../tokens-at-rest.ts';
import { keepAdministratorPolicy } from './administrator-policy.ts';

export const KEYLINE_POLICY = 'keyline';
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https anywhere; plain http only to the machine itself (RFC 8252 §7.3, native apps). */
function acceptableRedirect(uri: unknown): boolean {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return false;
  const url = new URL(uri);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/**
 * The rules below read lists as lists; a list that is a string, an object or a number is refused
 * here, as the metadata error it is, before anything reads it (null is "not given", as in a PUT).
 */
function refuseListsOfTheWrongShape(properties: Record<string, unknown>): void {
  for (const field of [...ARYS, RESOURCES, API_SCOPES]) {
    const value = properties[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) continue;
    const message = `${field} must be an array of strings`;
    throw field.endsWith('redirect_uris') ? refusedRedirectUri(message) : new errors.InvalidClientMetadata(message);
  }
}

/** Counts the clients an initial access token registered, by the token's store key. */
export function usesCounterKey(storageKey: string): string {
  return `dcr-iat:${storageKey}`;
}

/**
 * invalid_redirect_uri (RFC 7591 §3.2.2) saying what is wrong: the library's class fixes its own
 * description, an authorization-time "did not match any registered redirect_uris", false here.
 */
function refusedRedirectUri(description: string): InstanceType<typeof errors.InvalidRedirectUri> {
  const error = new errors.InvalidRedirectUri();
  error.error_description = description;
  return error;
}

interface UsesLimitedToken {
  jti?: string;
  exp?: number;
  keylineMaxUses?: number;
}

/**
 * The rules a dynamically registered client must follow, the same as for clients the CLI creates:
 * only the grant types and scopes the operator allows, the code response type, redirect URIs over
 * https (or loopback http), PKCE always (Keyline's own metadata such as "PKCE optional" cannot be
 * registered, and what an administrator set survives the client's updates), no client_secret_jwt
 * (secrets are stored hashed), a jwks_uri over https, no sector_identifier_uri (subjects are
 * public). An initial access token created with --max-uses registers at most that many clients,
 * counted in the store across nodes.
 */
export function registrationPolicy(config: Config['registration'], counters: Counters, outbound: Config['outbound']) {
  const grantTypes = new Set<string>(config.dynamicClients.grantTypes);
  const scopes = new Set(config.dynamicClients.scopes);
  return async (ctx: KoaContextWithOIDC, properties: Record<string, unknown>): Promise<void> => {
    const iat = ctx.oidc.entities.InitialAccessToken as UsesLimitedToken | undefined;
    if (ctx.oidc.route === 'registration' && iat?.keylineMaxUses && iat.jti) {
      const window = Math.max(1, (iat.exp ?? 0) - Math.floor(Date.now() / 1000));
      if ((await counters.increment(usesCounterKey(storageKeyOf(iat.jti)), window)).count > iat.keylineMaxUses) {
        throw new errors.InvalidToken('this initial access token has registered as many clients as it may');
      }
    }
    refuseListsOfTheWrongShape(properties);
    keepAdministratorPolicy(ctx, properties);
    // An update may keep what the client holds (an administrator may have given it more than
    // registration offers, or less: a PUT that leaves scope out keeps its scope, not every offered one).
    const held = ctx.oidc.route === 'client_update' ? ctx.oidc.client!.metadata() as Record<string, unknown> : {};
    const heldGrants = Array.isArray(held.grant_types) ? held.grant_types as string[] : [];
    const heldScope = typeof held.scope === 'string' ? held.scope : '';
    const requestedGrants = (properties.grant_types as string[] | undefined) ?? ['authorization_code'];
    const refusedGrant = requestedGrants.find((grant) => !grantTypes.has(grant) && !heldGrants.includes(grant));
    if (refusedGrant) throw new errors.InvalidClientMetadata(`grant type ${refusedGrant} is not allowed for registered clients`);
    const responseTypes = (properties.response_types as string[] | undefined) ?? (requestedGrants.includes('authorization_code') ? ['code'] : []);
    if (responseTypes.some((type) => type !== 'code')) throw new errors.InvalidClientMetadata('only the code response type is offered');
    const method = (properties.token_endpoint_auth_method as string | undefined) ?? 'client_secret_basic';
    if (!AUTH_METHODS.has(method)) throw new errors.InvalidClientMetadata(`token_endpoint_auth_method ${method} is not offered`);
    // As for clients the CLI adds: without authentication anyone who reads the client_id would get its tokens.
    if (method === 'none' && requestedGrants.includes('client_credentials')) {
      throw new errors.InvalidClientMetadata('client_credentials needs a confidential client (a token_endpoint_auth_method other than none)');
    }
    for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
      const uris = (properties[field] as unknown[] | undefined) ?? [];
      const problem = uris.map(redirectUriProblem).find(Boolean);
      if (problem) throw refusedRedirectUri(`${field}: ${problem}`);
    }
    const logoutUri = properties.backchannel_logout_uri;
    if (logoutUri !== undefined && (!acceptableRedirect(logoutUri) || new URL(logoutUri as string).hash)) {
      throw new errors.InvalidClientMetadata('backchannel_logout_uri must be an https URL without a fragment (plain http only for loopback addresses)');
    }
    // Subjects are public only, so a sector has nothing to decide; fetching one would only let a
    // registrant make Keyline call a URL of its choosing (and read the answer back in the error).
    if (properties.sector_identifier_uri !== undefined) {
      throw new errors.InvalidClientMetadata('sector_identifier_uri is not accepted: Keyline issues public subject identifiers only');
    }
    if (properties.jwks_uri !== undefined && !isFetchableClientUrl(properties.jwks_uri, outbound.allowPrivateNetworks)) {
      throw new errors.InvalidClientMetadata(`jwks_uri ${FETCHABLE_URL_RULE}`);
    }
    const requestedScopes = typeof properties.scope === 'string' ? properties.scope.split(' ').filter(Boolean) : [];
    const refusedScope = requestedScopes.find((scope) => !scopes.has(scope) && !heldScope.split(' ').includes(scope));
    if (refusedScope) throw new errors.InvalidClientMetadata(`scope ${refusedScope} is not allowed for registered clients`);
    if (!properties.scope) properties.scope = heldScope || [...scopes].join(' ');
  };
}

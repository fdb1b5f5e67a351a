import { isDeepStrictEqual } from 'node:util';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { EXTRA_CLIENT_METADATA } from '../keyline-client-metadata.ts';

/**
 * Requirements that only make a client harder to misuse: once on, the client cannot turn them off
 * itself (an administrator's --require-par or --dpop-bound, or the client's own earlier choice).
 */
const ONE_WAY_REQUIREMENTS = ['require_pushed_authorization_requests', 'dpop_bound_access_tokens'];

/**
 * Keyline's own client metadata (MFA required, resources, API scopes, optional PKCE, …) is the
 * administrator's, never the client's: a registration may not carry it, and an RFC 7592 update
 * keeps what is stored, whether the PUT leaves it out (as RFC 7592 says a client may not, but
 * libraries do) or repeats it unchanged (a GET→PUT round trip). A PUT that changes it is refused,
 * and so is one that turns a one-way requirement off.
 */
export function keepAdministratorPolicy(ctx: KoaContextWithOIDC, properties: Record<string, unknown>): void {
  if (ctx.oidc.route !== 'client_update') {
    for (const key of EXTRA_CLIENT_METADATA) {
      if (key in properties) throw new errors.InvalidClientMetadata(`${key} cannot be registered dynamically`);
    }
    return;
  }
  const stored = ctx.oidc.client!.metadata() as Record<string, unknown>;
  for (const key of EXTRA_CLIENT_METADATA) {
    if (key in properties && !isDeepStrictEqual(properties[key], stored[key])) {
      throw new errors.InvalidClientMetadata(`${key} is set by the administrator and cannot be changed by the client`);
    }
    if (stored[key] === undefined) delete properties[key];
    else properties[key] = stored[key];
  }
  for (const key of ONE_WAY_REQUIREMENTS) {
    if (stored[key] !== true) continue;
    if (key in properties && properties[key] !== true) throw new errors.InvalidClientMetadata(`${key} is required for this client and cannot be turned off by it`);
    properties[key] = true;
  }
}

/**
 * The same rule where the update is stored, against the stored client as it is at that moment:
 * the check above reads oidc-provider's client, which may be up to a quarter second older than an
 * administrator's change on another node or from the CLI.
 */
export function withStoredAdministratorPolicy(stored: Record<string, unknown>, updated: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...updated };
  for (const key of EXTRA_CLIENT_METADATA) {
    if (stored[key] === undefined) delete kept[key];
    else kept[key] = stored[key];
  }
  for (const key of ONE_WAY_REQUIREMENTS) if (stored[key] === true) kept[key] = true;
  return kept;
}

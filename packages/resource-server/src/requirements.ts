import type { AccessTokenClaims } from './types.ts';

/**
 * What a route needs of a verified token beyond its being valid. Made by `requireScopes` or
 * `requirePermissions`, handed to `authenticate` or `authorize`; a token that falls short is
 * answered 403 `insufficient_scope` with the `scope` a client must ask for (RFC 6750 §3.1).
 */
export interface Requirement {
  /** Every name this requirement needs (permissions are the resource's scopes, so a client asks for them as scopes). */
  readonly scopes: readonly string[];
  /** Why the claims fall short, or undefined when they meet it. */
  shortfall(claims: AccessTokenClaims): string | undefined;
}

/** RFC 6749 §3.3's scope-token: printable ASCII but space, `"` and `\`; so nothing can break out of a quoted header value. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function validNames(kind: string, names: readonly string[]): readonly string[] {
  if (names.length === 0) throw new TypeError(`require${kind}s needs at least one ${kind.toLowerCase()}`);
  for (const name of names) {
    if (typeof name !== 'string' || !SCOPE_TOKEN.test(name)) {
      throw new TypeError(`${JSON.stringify(name)} is not a ${kind.toLowerCase()} name: printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)`);
    }
  }
  return Object.freeze([...new Set(names)]);
}

function lacking(kind: string, needed: readonly string[], held: ReadonlySet<unknown>): string | undefined {
  const missing = needed.filter((name) => !held.has(name));
  return missing.length ? `the access token lacks the ${kind} ${missing.join(' ')}` : undefined;
}

/** Every one of these scopes must be in the token's `scope` claim (a space-separated string). */
export function requireScopes(...scopes: string[]): Requirement {
  const needed = validNames('Scope', scopes);
  return {
    scopes: needed,
    shortfall(claims) {
      const scope: unknown = claims.scope ?? '';
      if (typeof scope !== 'string') return 'the access token\'s scope claim is not a string';
      return lacking('scope', needed, new Set(scope.split(' ')));
    },
  };
}

/**
 * Every one of these permissions must be in the token's `permissions` claim, the array Keyline
 * puts in access tokens for an API with RBAC (the subject's permissions on that API only). A
 * claim of any other shape holds nothing: a string is never searched, so "orders:read" cannot be
 * found inside "orders:reader" or in a space-separated list.
 */
export function requirePermissions(...permissions: string[]): Requirement {
  const needed = validNames('Permission', permissions);
  return {
    scopes: needed,
    shortfall(claims) {
      const claim: unknown = claims['permissions'] ?? [];
      if (!Array.isArray(claim)) return 'the access token\'s permissions claim is not an array';
      return lacking('permission', needed, new Set(claim.filter((name) => typeof name === 'string')));
    },
  };
}

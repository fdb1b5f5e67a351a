import type { JWTPayload } from 'jose';

/** The claims of a Keyline access token (RFC 9068), once verified. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  cnf?: { jkt?: string };
  /** For an API with RBAC at Keyline: the subject's roles and permissions on this API only. */
  roles?: string[];
  permissions?: string[];
}

/** What the kit needs of an incoming request, whatever the framework. */
export interface IncomingRequest {
  method: string;
  /** The absolute URL the client called (scheme, host and path as the client saw them). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type Verdict =
  | { ok: true; claims: AccessTokenClaims }
  | {
    ok: false;
    status: 400 | 401 | 403;
    /** An RFC 6750 error code, absent when no token was presented at all. */
    error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
    description: string;
    /** With `insufficient_scope`: every scope the request needs, space-separated (also in the challenge). */
    scope?: string;
    /** The WWW-Authenticate header to send, with resource_metadata (RFC 9728). */
    wwwAuthenticate: string;
  };

/** Tells whether a token that verified has been revoked since it was issued. */
export interface RevocationCheck {
  isRevoked(token: string, claims: AccessTokenClaims): Promise<boolean>;
}

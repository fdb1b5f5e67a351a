/**
 * What both benchmark servers (Keyline and the bare oidc-provider peer) are seeded with, so the
 * load generator can drive either one with the same requests.
 */

/** Two APIs whose access tokens are JWTs (RFC 9068), one signed RS256 and one ES256. */
export const RS256_API = 'https://rs256.api.bench.test';
export const ES256_API = 'https://es256.api.bench.test';
export const API_SCOPE = 'read';
/**
 * An API with RBAC (issue 20): Keyline reads the machine's roles for every token; the machine holds
 * RBAC_ROLE, which permits API_SCOPE. The bare library's side adds the same claims from a constant.
 */
export const RBAC_API = 'https://rbac.api.bench.test';
export const RBAC_ROLE = 'bench-reader';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const WEB_SCOPES = 'openid email profile offline_access';

/** Every seeded user has this password; each one is hashed with argon2id (m=19456, t=2, p=1). */
export const BENCH_PASSWORD = 'correct horse battery staple';

/** Fresh users for the login scenario: one per login, so every login meets the login and consent pages. */
export function benchUserEmail(index: number): string {
  return `bench-user-${index}@example.test`;
}

/** One more user for the logins that set up the refresh, userinfo and introspection scenarios. */
export const SEED_USER_EMAIL = 'bench-seed@example.test';

/**
 * The upstream OpenID Providers Keyline's bench client offers (issue 22), all at the bench's one
 * upstream process (`upstream-server.ts`), each with its own client registration there: the
 * login page of every `login` iteration lists their buttons; `login-upstream` signs in through the first.
 */
export const BENCH_UPSTREAMS = [
  { id: 'bench-idp-a', name: 'Bench IdP A' },
  { id: 'bench-idp-b', name: 'Bench IdP B' },
  { id: 'bench-idp-c', name: 'Bench IdP C' },
] as const;

/** The upstream's people's addresses: a domain no local account has, so a first sign-in provisions one. */
export const UPSTREAM_EMAIL_DOMAIN = 'upstream.bench.test';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The one JSON line a bench server prints on stdout once it listens. */
export interface ServerInfo {
  kind: 'keyline' | 'peer';
  url: string;
  pid: number;
  /** client_credentials only, registered for every API (the RS256 one is its default); holds RBAC_ROLE. */
  machine: ClientCredentials;
  /** authorization_code + refresh_token, confidential, redirect URI REDIRECT_URI. */
  web: ClientCredentials & { redirectUri: string };
  users: { count: number; password: string };
  /** Keyline only: the upstreams its web client offers, all at one upstream OpenID Provider (`issuer`). */
  upstreams?: { issuer: string; ids: string[] };
}

/** What the upstream process (`upstream-server.ts`) announces. */
export interface UpstreamServerInfo {
  url: string;
  pid: number;
}

export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const encode = (value: string) => encodeURIComponent(value);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** Reads `--name value` from an argument list. */
export function argumentValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

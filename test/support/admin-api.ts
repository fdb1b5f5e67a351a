import { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE, adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

export interface AdminAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (problem details included), or undefined for an empty answer. */
  body: any;
  requestId: string;
}

/** A client of the admin API, registered the way `keyline clients add --admin [--read-only]` registers one. */
export function registerAdminClient(kl: RunningKeyline, scope: string = ADMIN_SCOPE): Promise<TestClient> {
  return registerTestClient(kl, {
    name: 'Admin automation', grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: scope, resources: [adminApiIndicator(kl.url)],
  });
}

const EVERY_ADMIN_SCOPE = `${ADMIN_SCOPE} ${ADMIN_READ_SCOPE} ${ADMIN_HELPDESK_SCOPE}`;

/** A client people sign in through to use the admin API (an admin console): authorization code, the admin API's resource and its scopes. */
export function registerPersonAdminClient(kl: RunningKeyline): Promise<TestClient> {
  return registerTestClient(kl, { name: 'Admin console', scopes: `openid ${EVERY_ADMIN_SCOPE}`, resources: [adminApiIndicator(kl.url)] });
}

/** A person's access token for the admin API, by signing in through `client` and asking for every admin scope (or `scope`). */
export async function personToken(kl: RunningKeyline, client: TestClient, user: TestUser, resource = adminApiIndicator(kl.url), scope = EVERY_ADMIN_SCOPE): Promise<string> {
  const signedIn = await signIn(kl, client, user, { scope: `openid ${scope}`, params: { prompt: 'consent', resource } });
  const answer = await exchangeCode(kl, client, signedIn);
  if (answer.status !== 200) throw new Error(`no token for ${user.email}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return String(answer.body.access_token);
}

export async function clientCredentialsToken(kl: RunningKeyline, client: TestClient, scope?: string): Promise<string> {
  const answer = await tokenRequest(kl, client, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  if (answer.status !== 200) throw new Error(`no token: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.access_token as string;
}

/** Calls /admin/v1<path> with a bearer token (or none), a JSON body when given. */
export async function adminCall(
  kl: RunningKeyline, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {},
): Promise<AdminAnswer> {
  const response = await fetch(`${kl.url}/admin/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, requestId: response.headers.get('x-request-id')! };
}

/** An admin API session: one client and its token, and every request id it used (to find in the audit trail). */
export class AdminSession {
  readonly kl: RunningKeyline;
  readonly client: TestClient;
  readonly token: string;
  readonly requestIds: string[] = [];

  private constructor(kl: RunningKeyline, client: TestClient, token: string) {
    this.kl = kl;
    this.client = client;
    this.token = token;
  }

  static async open(kl: RunningKeyline, scope: string = ADMIN_SCOPE): Promise<AdminSession> {
    const client = await registerAdminClient(kl, scope);
    return new AdminSession(kl, client, await clientCredentialsToken(kl, client, scope || undefined));
  }

  async call(method: string, path: string, body?: unknown): Promise<AdminAnswer> {
    const answer = await adminCall(this.kl, this.token, method, path, body);
    this.requestIds.push(answer.requestId);
    return answer;
  }

  /** Like call, but fails the test with the problem detail when the status is not the one expected. */
  async expect(status: number, method: string, path: string, body?: unknown): Promise<any> {
    const answer = await this.call(method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

export { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE };

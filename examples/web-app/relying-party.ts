// The OpenID Connect side of the example web app: authorization code flow with PKCE, the code
// exchange, the ID token's checks, UserInfo and RP-initiated logout. Each function is one protocol
// step, so the file reads as the flow does.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
}

export interface RelyingPartyOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

/** What one authorization request must remember until its callback: never sent anywhere else. */
export interface PendingSignIn {
  verifier: string;
  nonce: string;
  /** The API (resource indicator) this leg's access token is for; none: UserInfo's. */
  resource?: string;
  /** Sent with prompt=none: Keyline answers at once, without a page. */
  silent: boolean;
}

export interface Tokens {
  idToken: string;
  claims: JWTPayload;
  accessToken: string;
}

/** A refusal the person can be told about: Keyline's error code, or ours when a check failed. */
export class SignInProblem extends Error {
  readonly code: string;
  readonly detail: string | undefined;

  constructor(code: string, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.code = code;
    this.detail = detail;
  }
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export class RelyingParty {
  readonly #options: RelyingPartyOptions;
  readonly #discovery: Discovery;
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;

  private constructor(options: RelyingPartyOptions, discovery: Discovery) {
    this.#options = options;
    this.#discovery = discovery;
    this.#keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  }

  static async discover(options: RelyingPartyOptions): Promise<RelyingParty> {
    const discovery = await (await fetch(new URL('/.well-known/openid-configuration', options.issuer))).json() as Discovery;
    if (discovery.issuer !== options.issuer) throw new Error(`discovery names issuer ${discovery.issuer}, expected ${options.issuer}`);
    return new RelyingParty(options, discovery);
  }

  get issuer(): string {
    return this.#discovery.issuer;
  }

  /** A new authorization request: where to send the browser, and what to keep under its state. */
  authorizationRequest(params: { scope: string; resource?: string; prompt?: 'none'; uiLocales?: string }): { url: string; state: string; pending: PendingSignIn } {
    const pending: PendingSignIn = { verifier: random(32), nonce: random(16), resource: params.resource, silent: params.prompt === 'none' };
    const state = random(16);
    const url = new URL(this.#discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.#options.clientId, response_type: 'code', redirect_uri: this.#options.redirectUri, scope: params.scope,
      state, nonce: pending.nonce, code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'), code_challenge_method: 'S256',
      ...(params.resource ? { resource: params.resource } : {}),
      ...(params.prompt ? { prompt: params.prompt } : {}),
      ...(params.uiLocales ? { ui_locales: params.uiLocales } : {}),
    }).toString();
    return { url: url.href, state, pending };
  }

  /**
   * The callback's answer, once its state matched this browser's pending request: RFC 9207's `iss`
   * (mix-up defence), then the error or the code, exchanged with the PKCE verifier.
   */
  async finish(callback: URLSearchParams, pending: PendingSignIn): Promise<Tokens> {
    if (callback.get('iss') !== this.#discovery.issuer) throw new SignInProblem('wrong_issuer');
    const error = callback.get('error');
    if (error) throw new SignInProblem(error, callback.get('error_description') ?? undefined);
    const code = callback.get('code');
    if (!code) throw new SignInProblem('invalid_request', 'no code');
    const response = await fetch(this.#discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: this.#basicAuth() },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, redirect_uri: this.#options.redirectUri }),
    });
    const body = await response.json() as { id_token?: string; access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !body.id_token || !body.access_token) throw new SignInProblem(body.error ?? 'server_error', body.error_description);
    const { payload } = await jwtVerify(body.id_token, this.#keys, { issuer: this.#discovery.issuer, audience: this.#options.clientId })
      .catch((failure: Error) => { throw new SignInProblem('invalid_id_token', failure.message); });
    if (payload.nonce !== pending.nonce) throw new SignInProblem('invalid_id_token', 'nonce mismatch');
    return { idToken: body.id_token, claims: payload, accessToken: body.access_token };
  }

  /** UserInfo for a token meant for it; its `sub` must be the ID token's (OIDC Core 5.3.2). */
  async userInfo(accessToken: string, subject: string): Promise<Record<string, unknown>> {
    const response = await fetch(this.#discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
    const body = await response.json() as Record<string, unknown>;
    if (!response.ok) throw new SignInProblem(String(body.error ?? response.status), typeof body.error_description === 'string' ? body.error_description : undefined);
    if (body.sub !== subject) throw new SignInProblem('userinfo_subject_mismatch');
    return body;
  }

  /** RP-initiated logout: Keyline ends its session (after asking) and sends the browser back here. */
  endSessionUrl(idToken: string, uiLocales?: string): string {
    const url = new URL(this.#discovery.end_session_endpoint);
    url.search = new URLSearchParams({
      id_token_hint: idToken, post_logout_redirect_uri: this.#options.postLogoutRedirectUri, client_id: this.#options.clientId,
      ...(uiLocales ? { ui_locales: uiLocales } : {}),
    }).toString();
    return url.href;
  }

  #basicAuth(): string {
    const encode = (value: string) => encodeURIComponent(value);
    return `Basic ${Buffer.from(`${encode(this.#options.clientId)}:${encode(this.#options.clientSecret)}`).toString('base64')}`;
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as querystring from 'node:querystring';
import { decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * A stand-in upstream OpenID Provider for tests: the bare oidc-provider library, started in the
 * test process on 127.0.0.1 with an ephemeral port. It plays Google, Entra ID or a company's Okta
 * towards Keyline, which is the relying party here. It has no login page: the test says who signs in
 * next (`signInAs`) or that the person says no (`denyNext`), and the interaction completes itself,
 * so a BrowserLikeClient can drive the whole redirect flow with its cookie jar.
 *
 * It can also misbehave (`misbehave`), the way a broken or hostile upstream would: answer with
 * another issuer in the authorization response's `iss` and/or the id_token's `iss` (mix-up), sign
 * the id_token with a key that is not in its JWKS, leave out or change the nonce. Every token
 * request it received is kept (`tokenRequests`) so a test can check how Keyline authenticated.
 */

export interface UpstreamOpAccount {
  sub: string;
  /** Claims besides sub (email, email_verified, name, tid, amr...). */
  claims?: Record<string, unknown>;
  /** Put in the id_token's `sid` instead of the session's own (back-channel logout tests). */
  sid?: string;
}

export interface UpstreamOpClient extends ClientMetadata {
  client_id: string;
  redirect_uris: string[];
  /**
   * The client authenticates with a JWT as its client_secret, signed by this key (Apple's
   * client secret): the stand-in checks the signature, keeps the request, and lets it through.
   */
  jwtSecretKey?: CryptoKey;
  /**
   * The client authenticates with private_key_jwt, signed by this key: the stand-in checks the
   * assertion itself (iss = sub = client_id, aud its issuer or token endpoint), since
   * oidc-provider refuses a client's inline JWKS under jest (its plain-object check fails across realms).
   */
  assertionKey?: CryptoKey;
}

export interface Misbehaviour {
  /** The authorization response's `iss`: another issuer, or null to leave it out. */
  authorizationIss?: string | null;
  /** The id_token's `iss`. */
  idTokenIss?: string;
  /** The id_token's `aud`. */
  idTokenAud?: string;
  /** The id_token's `nonce`: another value, or null to leave it out. */
  idTokenNonce?: string | null;
  /** Signs the id_token with a key that is not in the JWKS (same kid). */
  foreignKey?: boolean;
  /** More claims in the id_token (tid for a multi-tenant issuer, amr...). */
  idTokenClaims?: Record<string, unknown>;
  /** The token endpoint answers this status with an error body instead (5xx: the upstream is down). */
  tokenStatus?: number;
}

export interface RecordedTokenRequest {
  form: Record<string, string>;
  authorization: string | undefined;
}

export interface UpstreamOp {
  /** http://127.0.0.1:<port> */
  issuer: string;
  provider: Provider;
  /** The public keys it publishes (jwks_uri). */
  jwks: { keys: JWK[] };
  /** Who signs in at the next (and every later) authorization, until told otherwise. */
  signInAs(sub: string): void;
  /** The next authorizations end with error=access_denied and this description. */
  denyNext(description?: string): void;
  misbehave(misbehaviour: Misbehaviour): void;
  /** Back to a well-behaved provider. */
  behave(): void;
  tokenRequests: RecordedTokenRequest[];
  /** The id_tokens it issued, decoded (after any misbehaviour). */
  idTokens: JWTPayload[];
  /** Signs a JWT with its own key, as it would sign a logout token. */
  sign(payload: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface UpstreamOpOptions {
  clients: UpstreamOpClient[];
  accounts: UpstreamOpAccount[];
  /**
   * 'minimal' (the default, as oidc-provider and most providers do): profile and email claims only
   * from userinfo when an access token is issued; 'all': in the id_token too.
   */
  idTokenClaims?: 'minimal' | 'all';
  /** More scopes besides openid, email, profile. */
  scopes?: string[];
  /**
   * Changes to its discovery document (null removes a field): Entra ID's multi-tenant document, for
   * one, names the issuer `.../{tenantid}/v2.0` and does not advertise the `iss` response parameter.
   */
  discovery?: (issuer: string) => Record<string, unknown>;
}

const ALG = 'RS256';

export async function startUpstreamOp(options: UpstreamOpOptions): Promise<UpstreamOp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const kid = randomBytes(8).toString('hex');
  const own = await generateKeyPair(ALG, { extractable: true });
  const foreign = await generateKeyPair(ALG, { extractable: true });
  const privateJwk = { ...await exportJWK(own.privateKey), kid, alg: ALG, use: 'sig' };
  const publicJwk = { ...await exportJWK(own.publicKey), kid, alg: ALG, use: 'sig' };

  const accounts = new Map(options.accounts.map((account) => [account.sub, account]));
  const jwtSecretKeys = new Map<string, CryptoKey>();
  const assertionKeys = new Map<string, CryptoKey>();
  const clients = options.clients.map(({ jwtSecretKey, assertionKey, ...client }) => {
    if (assertionKey) assertionKeys.set(client.client_id, assertionKey);
    if (!jwtSecretKey && !assertionKey) return client;
    if (jwtSecretKey) jwtSecretKeys.set(client.client_id, jwtSecretKey);
    return { ...client, client_secret: client.client_secret ?? randomBytes(24).toString('base64url'), token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_post' };
  });

  let next: { sub: string } | { deny: string } | undefined;
  let misbehaviour: Misbehaviour = {};
  const tokenRequests: RecordedTokenRequest[] = [];
  const idTokens: JWTPayload[] = [];

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'email', 'profile', 'offline_access', ...(options.scopes ?? [])],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'locale', 'preferred_username'],
    },
    conformIdTokenClaims: options.idTokenClaims !== 'all',
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
    },
    pkce: { required: () => true },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Grant: 3600, Interaction: 600, Session: 3600, RefreshToken: 3600 },
    responseTypes: ['code'],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account.claims }) };
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  provider.use(async (ctx: KoaContextWithOIDC, nextMiddleware) => {
    if (ctx.path.startsWith('/interaction/')) return completeInteraction(ctx);
    if (ctx.method === 'POST' && ctx.path === '/token') {
      const form = await readForm(ctx);
      tokenRequests.push({ form: { ...form }, authorization: ctx.get('authorization') || undefined });
      const secretKey = jwtSecretKeys.get(form.client_id ?? '');
      if (secretKey && form.client_secret) {
        const signed = await jwtVerify(form.client_secret, secretKey).then(() => true, () => false);
        form.client_secret = signed ? clients.find((client) => client.client_id === form.client_id)!.client_secret! : 'not-the-signed-secret';
      }
      const assertedBy = form.client_assertion ? String(decodeJwt(form.client_assertion).iss ?? '') : '';
      const assertionKey = assertionKeys.get(assertedBy);
      if (assertionKey) {
        const asserted = await jwtVerify(form.client_assertion!, assertionKey, { issuer: assertedBy, subject: assertedBy, audience: [issuer, `${issuer}/token`] })
          .then(() => true, () => false);
        delete form.client_assertion;
        delete form.client_assertion_type;
        form.client_id = assertedBy;
        form.client_secret = asserted ? clients.find((client) => client.client_id === assertedBy)!.client_secret! : 'not-the-asserted-client';
      }
      (ctx.request as unknown as { body: unknown }).body = form;
      if (misbehaviour.tokenStatus) {
        ctx.status = misbehaviour.tokenStatus;
        ctx.body = { error: 'server_error', error_description: 'the stand-in upstream was told to fail' };
        return;
      }
    }
    await nextMiddleware();
    if (ctx.method === 'POST' && ctx.path === '/token' && ctx.status === 200) {
      const body = ctx.body as Record<string, unknown>;
      if (typeof body.id_token === 'string') body.id_token = await reissue(body.id_token);
    }
    if (ctx.path === '/.well-known/openid-configuration' && options.discovery && ctx.status === 200) {
      const document = ctx.body as Record<string, unknown>;
      for (const [name, value] of Object.entries(options.discovery(issuer))) {
        if (value === null) delete document[name];
        else document[name] = value;
      }
    }
    if (ctx.status === 303 && ctx.response.get('location')) {
      ctx.response.set('location', rewriteIss(ctx.response.get('location')));
    }
  });

  async function completeInteraction(ctx: KoaContextWithOIDC): Promise<void> {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result: Record<string, unknown>;
    if (next === undefined) throw new Error('the stand-in upstream was not told who signs in (signInAs)');
    if ('deny' in next) {
      result = { error: 'access_denied', error_description: next.deny };
    } else if (details.prompt.name === 'login') {
      result = { login: { accountId: next.sub } };
    } else {
      const grant = details.grantId ? (await provider.Grant.find(details.grantId))! : new provider.Grant({ accountId: details.session!.accountId!, clientId: details.params.client_id as string });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const location = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(location);
  }

  async function readForm(ctx: KoaContextWithOIDC): Promise<Record<string, string>> {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    return { ...querystring.parse(Buffer.concat(chunks).toString()) } as Record<string, string>;
  }

  function rewriteIss(location: string): string {
    if (!('authorizationIss' in misbehaviour) || !URL.canParse(location)) return location;
    const url = new URL(location);
    if (!url.searchParams.has('code') && !url.searchParams.has('error')) return location;
    if (misbehaviour.authorizationIss === null) url.searchParams.delete('iss');
    else url.searchParams.set('iss', misbehaviour.authorizationIss!);
    return url.href;
  }

  async function reissue(idToken: string): Promise<string> {
    const claims: JWTPayload = { ...decodeJwt(idToken) };
    const account = accounts.get(String(claims.sub));
    if (account?.sid) claims.sid = account.sid;
    if (misbehaviour.idTokenIss) claims.iss = misbehaviour.idTokenIss;
    if (misbehaviour.idTokenAud) claims.aud = misbehaviour.idTokenAud;
    if (misbehaviour.idTokenNonce === null) delete claims.nonce;
    else if (misbehaviour.idTokenNonce !== undefined) claims.nonce = misbehaviour.idTokenNonce;
    Object.assign(claims, misbehaviour.idTokenClaims);
    idTokens.push(claims);
    return new SignJWT(claims).setProtectedHeader({ alg: ALG, kid, typ: 'JWT' }).sign(misbehaviour.foreignKey ? foreign.privateKey : own.privateKey);
  }

  server.on('request', provider.callback());

  return {
    issuer,
    provider,
    jwks: { keys: [publicJwk] },
    signInAs: (sub) => { next = { sub }; },
    denyNext: (description = 'The user said no.') => { next = { deny: description }; },
    misbehave: (change) => { misbehaviour = { ...misbehaviour, ...change }; },
    behave: () => { misbehaviour = {}; },
    tokenRequests,
    idTokens,
    sign: (payload, header = {}) => new SignJWT(payload).setProtectedHeader({ typ: 'JWT', ...header, alg: ALG, kid }).sign(own.privateKey),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

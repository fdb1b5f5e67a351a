/**
 * The peer side of the benchmark: the bare oidc-provider library, in-memory adapter (no adapter
 * option), the same signing algorithms, token formats, rotation and TTLs as Keyline, a static client
 * list, and a minimal login + consent path that does the same password work (argon2id, same
 * parameters) so the login scenario compares like with like.
 *
 *   node bench/peer-server.ts [--users N]
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import argon2 from 'argon2';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import {
  API_SCOPE, argumentValue, BENCH_PASSWORD, benchUserEmail, ES256_API, RBAC_API, RBAC_ROLE, REDIRECT_URI, RS256_API, SEED_USER_EMAIL, WEB_SCOPES,
} from './bench-fixtures.ts';
import { announce, stopWhenTold } from './server-lifecycle.ts';

const args = process.argv.slice(2);
const userCount = Number(argumentValue(args, '--users') ?? 1000);

/** Keyline's argon2id parameters (src/accounts/password-hashing.ts). */
const ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const RESOURCE_ALGS: Record<string, 'RS256' | 'ES256'> = { [RS256_API]: 'RS256', [ES256_API]: 'ES256', [RBAC_API]: 'RS256' };

async function signingKey(alg: 'RS256' | 'ES256' | 'Ed25519' | 'EdDSA'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

interface PeerUser { id: string; email: string; name: string; passwordHash: string }

const passwordHash = await argon2.hash(BENCH_PASSWORD, ARGON2);
const users = new Map<string, PeerUser>();
const usersById = new Map<string, PeerUser>();
for (const email of [SEED_USER_EMAIL, ...Array.from({ length: userCount }, (_, index) => benchUserEmail(index))]) {
  const user = { id: randomUUID(), email, name: email.split('@')[0]!, passwordHash };
  users.set(email, user);
  usersById.set(user.id, user);
}

const machine = { clientId: 'peer-machine', clientSecret: randomBytes(32).toString('base64url') };
const web = { clientId: 'peer-web', clientSecret: randomBytes(32).toString('base64url') };

const server = createServer();
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const issuer = `http://127.0.0.1:${port}`;

const configuration: Configuration = {
  clients: [
    {
      client_id: machine.clientId, client_secret: machine.clientSecret, grant_types: ['client_credentials'],
      response_types: [], redirect_uris: [], scope: API_SCOPE, token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: web.clientId, client_secret: web.clientSecret, grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], redirect_uris: [REDIRECT_URI], scope: WEB_SCOPES, token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [await signingKey('RS256'), await signingKey('ES256'), await signingKey('Ed25519'), await signingKey('EdDSA')] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'profile', 'email', API_SCOPE],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'updated_at'] },
  async findAccount(_ctx, sub) {
    const user = usersById.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ sub, email: user.email, email_verified: false, name: user.name, updated_at: 0 }),
    };
  },
  responseTypes: ['code'],
  pkce: { required: () => true },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'Ed25519', 'EdDSA'] },
  rotateRefreshToken: true,
  // The same claims Keyline puts in an RBAC API's token, from a constant: what the library costs without a role lookup.
  extraTokenClaims: async (_ctx, token) => (token.resourceServer?.audience === RBAC_API ? { roles: [RBAC_ROLE], permissions: [API_SCOPE] } : undefined),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // The library's default policies, written out (its types want them stated when the feature is on).
    introspection: {
      enabled: true,
      allowedPolicy: (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
    },
    revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, _client, oneOf) => {
        if (oneOf) return oneOf;
        return ctx.oidc.params?.grant_type === 'client_credentials' ? RS256_API : undefined;
      },
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        const alg = RESOURCE_ALGS[resourceIndicator];
        if (!alg) throw new errors.InvalidTarget();
        return { audience: resourceIndicator, scope: API_SCOPE, accessTokenFormat: 'jwt', accessTokenTTL: 900, jwt: { sign: { alg } } };
      },
      useGrantedResource: async () => true,
    },
  },
  ttl: {
    AccessToken: 900,
    AuthorizationCode: 60,
    ClientCredentials: 900,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Session: 3600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
};

const provider = new Provider(issuer, configuration);

// --- the minimal interaction path: login form, argon2id check, consent form ---

const csrfSecret = randomBytes(32);
const csrfFor = (uid: string) => createHmac('sha256', csrfSecret).update(`csrf:${uid}`).digest('base64url');
function csrfMatches(uid: string, presented: string | undefined): boolean {
  const expected = Buffer.from(csrfFor(uid));
  const actual = Buffer.from(presented ?? '');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

async function readForm(ctx: KoaContextWithOIDC): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function page(uid: string, action: 'login' | 'confirm', fields: string): string {
  return `<!doctype html><title>${action}</title><form method="post" action="/interaction/${uid}/${action}">`
    + `<input type="hidden" name="csrf" value="${csrfFor(uid)}">${fields}<button type="submit">go</button></form>`;
}

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/;

provider.use(async (ctx, next) => {
  const match = INTERACTION_PATH.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== match[1]) ctx.throw(400, 'interaction mismatch');
  const step = match[2];
  ctx.set('cache-control', 'no-store');
  if (!step && ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = details.prompt.name === 'login'
      ? page(details.uid, 'login', '<input name="email"><input type="password" name="password">')
      : page(details.uid, 'confirm', '');
    return;
  }
  if (ctx.method !== 'POST' || !step) ctx.throw(405);
  const form = await readForm(ctx as KoaContextWithOIDC);
  if (!csrfMatches(details.uid, form.csrf)) ctx.throw(403, 'bad csrf token');
  let result: Parameters<Provider['interactionResult']>[2];
  if (step === 'login') {
    const user = users.get(form.email ?? '');
    const valid = await argon2.verify(user?.passwordHash ?? passwordHash, form.password ?? '');
    if (!user || !valid) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = page(details.uid, 'login', '<input name="email"><input type="password" name="password">');
      return;
    }
    result = { login: { accountId: user.id } };
  } else {
    const { prompt, params, session, grantId } = details;
    const grant = (grantId ? await provider.Grant.find(grantId) : undefined)
      ?? new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
});

server.on('request', provider.callback());
stopWhenTold(server, async () => {});
announce({
  kind: 'peer', url: issuer, pid: process.pid, machine, web: { ...web, redirectUri: REDIRECT_URI },
  users: { count: userCount, password: BENCH_PASSWORD },
});

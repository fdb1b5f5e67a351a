/**
 * The upstream OpenID Provider of the `login-upstream` scenario: the bare oidc-provider library on
 * 127.0.0.1 playing Google or a company's Okta towards Keyline, which is its relying party. It is
 * a process of its own, so its CPU counts for neither side under test (the peer stays the
 * untouched bare library it is compared with).
 *
 *   node bench/upstream-server.ts
 *
 * Keyline's bench server registers itself here by Dynamic Client Registration (open, as a stand-in
 * may be), one client per upstream id, with that upstream's callback URL. The login is automatic:
 * its login page asks only for a user name, and any name is a person (email `<name>@UPSTREAM_EMAIL_DOMAIN`,
 * verified), who consents to everything at once, so the upstream's own work stays small. The
 * email and its verification are in the id_token (as Google's are), so Keyline needs no userinfo call.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { UPSTREAM_EMAIL_DOMAIN } from './bench-fixtures.ts';
import { stopWhenTold } from './server-lifecycle.ts';

const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
const jwk = await exportJWK(privateKey);

const server = createServer();
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, email: `${sub}@${UPSTREAM_EMAIL_DOMAIN}`, email_verified: true, name: sub }),
  }),
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
  },
  responseTypes: ['code'],
  pkce: { required: () => true },
  ttl: { AccessToken: 900, AuthorizationCode: 60, IdToken: 3600, Grant: 3600, Interaction: 600, Session: 3600 },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(\/login)?$/;
const USER_NAME = /^[\w.-]{1,64}$/;

/** GET: the login page (one field); POST /login: that person signs in and consents to what was asked, in one step. */
provider.use(async (ctx: KoaContextWithOIDC, next) => {
  const match = INTERACTION_PATH.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== match[1]) ctx.throw(400, 'interaction mismatch');
  ctx.set('cache-control', 'no-store');
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>upstream</title><form method="post" action="/interaction/${details.uid}/login"><input name="login"><button>go</button></form>`;
    return;
  }
  if (ctx.method !== 'POST' || !match[2]) ctx.throw(405);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const login = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('login') ?? '';
  if (!USER_NAME.test(login)) ctx.throw(400, 'a user name is letters, digits, dots, hyphens and underscores');
  const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
    login: { accountId: login },
    consent: { grantId: await grant.save() },
  }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
});

server.on('request', provider.callback());
stopWhenTold(server, async () => {});
process.stdout.write(`${JSON.stringify({ url: issuer, pid: process.pid })}\n`);

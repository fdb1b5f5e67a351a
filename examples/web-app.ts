// "Login with Keyline": a server-side web app using the authorization code flow with PKCE.
//   npm run example     registers its own client and serves http://localhost:8080 (see run-example.ts)
//   by hand, with a client whose redirect URI is http://localhost:8080/callback:
//   CLIENT_ID=... CLIENT_SECRET=... PORT=8080 npx node examples/web-app.ts   (npx node: the project's Node 24)
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

interface Discovery { authorization_endpoint: string; token_endpoint: string; userinfo_endpoint: string; jwks_uri: string; issuer: string }

export async function startWebApp(options: { issuer: string; clientId: string; clientSecret: string; port?: number; baseUrl?: string }): Promise<{ server: Server; url: string }> {
  const discovery = await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json() as Discovery;
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  // Pending logins by state; a real app keeps this in its own session store.
  const pending = new Map<string, { verifier: string; nonce: string }>();
  let baseUrl = options.baseUrl ?? '';

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const redirectUri = `${baseUrl}/callback`;
    if (url.pathname === '/login') {
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      pending.set(state, { verifier, nonce });
      const authorize = new URL(discovery.authorization_endpoint);
      authorize.search = new URLSearchParams({
        client_id: options.clientId, response_type: 'code', scope: 'openid email profile', redirect_uri: redirectUri,
        state, nonce, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      }).toString();
      res.writeHead(303, { location: authorize.href }).end();
      return;
    }
    if (url.pathname === '/callback') {
      const login = pending.get(url.searchParams.get('state') ?? '');
      pending.delete(url.searchParams.get('state') ?? '');
      if (!login || url.searchParams.get('iss') !== discovery.issuer || !url.searchParams.get('code')) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`sign-in failed: ${url.searchParams.get('error') ?? 'bad callback'}`);
        return;
      }
      const tokens = await (await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: url.searchParams.get('code')!, code_verifier: login.verifier, redirect_uri: redirectUri }),
      })).json() as { id_token?: string; access_token?: string };
      const { payload } = await jwtVerify(tokens.id_token ?? '', jwks, { issuer: discovery.issuer, audience: options.clientId });
      if (payload.nonce !== login.nonce) {
        res.writeHead(400).end('nonce mismatch');
        return;
      }
      // The id_token proves who signed in; profile claims come from userinfo.
      const profile = await (await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json() as { sub: string; email?: string };
      if (profile.sub !== payload.sub) {
        res.writeHead(400).end('userinfo subject mismatch');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`Hello, ${profile.email ?? profile.sub}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><html lang="en"><title>Example app</title><h1>Example app</h1><p><a href="/login">Login with Keyline</a></p></html>');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  baseUrl ||= `http://127.0.0.1:${port}`;
  return { server, url: baseUrl };
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startWebApp({
    issuer: process.env.KEYLINE_ISSUER ?? 'http://localhost:3000',
    clientId: process.env.CLIENT_ID ?? '', clientSecret: process.env.CLIENT_SECRET ?? '', port, baseUrl: `http://localhost:${port}`,
  });
  console.log(`web app on ${url}`);
}

// An API that accepts Keyline's JWT access tokens (RFC 9068): it verifies them offline against the JWKS.
//   KEYLINE_ISSUER=http://localhost:3000 API_AUDIENCE=https://api.example.com PORT=4000 npx node examples/resource-server.ts
// (`npx node` runs the project's Node 24.)
import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export async function startResourceServer(issuer: string, audience: string, port = 0): Promise<{ server: Server; url: string }> {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const server = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('missing bearer token');
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hello: payload.sub ?? payload.client_id, scope: payload.scope ?? '' }));
    } catch {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end(JSON.stringify({ error: 'invalid_token' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}

if (import.meta.main) {
  const { url } = await startResourceServer(
    process.env.KEYLINE_ISSUER ?? 'http://localhost:3000',
    process.env.API_AUDIENCE ?? 'https://api.example.test',
    Number(process.env.PORT ?? 4000),
  );
  console.log(`resource server on ${url}`);
}

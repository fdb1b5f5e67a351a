// An API that accepts Keyline's JWT access tokens (RFC 9068) through the resource-server kit in
// packages/resource-server: verified offline against the JWKS, DPoP-bound tokens checked, and its
// RFC 9728 metadata served. Any valid token may read (GET); every other method needs the scope
// `write` (without it: 403 insufficient_scope, naming the scope to ask for). Start Keyline first
// (npm start), then in another terminal:
//   KEYLINE_ISSUER=http://localhost:3000 API_AUDIENCE=https://api.example.com PORT=4000 npx node examples/resource-server.ts
// (`npx node` runs the project's Node 24.) To refuse revoked users' tokens at once, give it a
// shared-signals receiver registration (see README, "Shared signals") in SIGNALS_CLIENT_ID and
// SIGNALS_CLIENT_SECRET: it then polls Keyline's stream and refuses every token a user held when
// their session ended or their password changed.
import { createServer, type Server } from 'node:http';
import { createResourceServer, fromNodeRequest, requireScopes, signalsCheck, type RevocationCheck } from '../packages/resource-server/src/index.ts';

const WRITE = requireScopes('write');

export interface ResourceServerExample {
  server: Server;
  url: string;
}

export async function startResourceServer(
  issuer: string,
  audience: string,
  port = 0,
  revocation?: Parameters<typeof createResourceServer>[0]['revocation'],
): Promise<ResourceServerExample> {
  const api = await createResourceServer({ issuer, resource: audience, resourceName: 'Example API', scopesSupported: ['read', 'write'], revocation });
  let origin = '';
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === api.metadata.path) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(api.metadata.document));
      return;
    }
    const verdict = await api.authenticate(fromNodeRequest(req, origin), ...(req.method === 'GET' ? [] : [WRITE]));
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'content-type': 'application/json', 'www-authenticate': verdict.wwwAuthenticate });
      res.end(JSON.stringify(verdict.error ? { error: verdict.error, error_description: verdict.description, scope: verdict.scope } : {}));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hello: verdict.claims.sub, scope: verdict.claims.scope ?? '' }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}`;
  return { server, url: origin };
}

export type { RevocationCheck };

if (import.meta.main) {
  const { SIGNALS_CLIENT_ID: clientId, SIGNALS_CLIENT_SECRET: clientSecret } = process.env;
  const { url } = await startResourceServer(
    process.env.KEYLINE_ISSUER ?? 'http://localhost:3000',
    process.env.API_AUDIENCE ?? 'https://api.example.test',
    Number(process.env.PORT ?? 4000),
    clientId && clientSecret
      ? (server) => signalsCheck(server, { clientId, clientSecret, onError: (error) => console.error(`signals: ${error.message}`) })
      : undefined,
  );
  console.log(`resource server on ${url}${clientId ? ', refusing revoked users by shared signals' : ''}`);
}

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { RunningKeyline } from './start-keyline.ts';

/** A client's own signing key: the private half to sign assertions, the public JWK to register. */
export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(kid: string, alg: 'ES256' | 'RS256' | 'Ed25519' = 'ES256'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' } };
}

/** An RFC 7523 client assertion for Keyline's token endpoint, with a fresh jti. */
export function clientAssertion(kl: RunningKeyline, clientId: string, key: ClientKey): Promise<string> {
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: key.publicJwk.alg!, kid: key.publicJwk.kid })
    .setIssuer(clientId).setSubject(clientId).setAudience(`${kl.url}/token`)
    .setIssuedAt().setExpirationTime('60s')
    .sign(key.privateKey);
}

/** A client_credentials request authenticated by an assertion. */
export function tokenWithAssertion(kl: RunningKeyline, clientId: string, assertion: string): Promise<Response> {
  return fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }).toString(),
  });
}

export interface JwksServer {
  server: Server;
  url: string;
  fetches(): number;
  /** What the endpoint answers from now on. */
  serve(answer: { keys?: JWK[]; headers?: Record<string, string>; body?: string; hang?: boolean }): void;
}

/** The client's own JWKS endpoint, as a service publishing its keys would run it. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let fetches = 0;
  let answer: Parameters<JwksServer['serve']>[0] = { keys };
  const server = createServer((_request, response) => {
    fetches += 1;
    if (answer.hang) return;
    response.writeHead(200, { 'content-type': 'application/json', ...answer.headers }).end(answer.body ?? JSON.stringify({ keys: answer.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    fetches: () => fetches,
    serve: (next) => { answer = next; },
  };
}

export function stopJwksServer(jwks: JwksServer | undefined): Promise<void> {
  jwks?.server.closeAllConnections();
  return new Promise((resolve) => (jwks ? jwks.server.close(() => resolve()) : resolve()));
}

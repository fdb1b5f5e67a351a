import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { runCli } from './run-cli.ts';
import type { RunningKeyline } from './start-keyline.ts';

export interface CountingUpstream { issuer: string; fetches: Record<string, number>; server: Server }
export interface UpstreamHealth { discovery: boolean; jwks: boolean }

/**
 * Small counting servers on 127.0.0.1 standing in for providers' discovery documents and key sets
 * (one RS256 key, kid `the-real-kid`), healthy or answering 503, each added to Keyline as the oidc
 * upstream of its id with client id `keyline-<id>`. Returns the key their tokens are signed with.
 */
export async function addCountingUpstreams(
  kl: RunningKeyline, healths: Record<string, UpstreamHealth>, upstreams: Record<string, CountingUpstream>,
): Promise<CryptoKey> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...await exportJWK(pair.publicKey), kid: 'the-real-kid', alg: 'RS256', use: 'sig' };
  for (const [id, health] of Object.entries(healths)) {
    const fetches: Record<string, number> = {};
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      fetches[path] = (fetches[path] ?? 0) + 1;
      response.setHeader('content-type', 'application/json');
      if (!(path === '/jwks' ? health.jwks : health.discovery)) {
        response.statusCode = 503;
        response.end('{"error":"temporarily_unavailable"}');
        return;
      }
      response.end(JSON.stringify(path === '/jwks' ? { keys: [jwk] } : {
        issuer, jwks_uri: `${issuer}/jwks`, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    upstreams[id] = { issuer, fetches, server };
    const added = await runCli(kl, ['upstreams', 'add', id, '--type', 'oidc', '--issuer', issuer, '--client-id', `keyline-${id}`], 'a client secret');
    if (added.code !== 0) throw new Error(added.stderr);
  }
  return pair.privateKey;
}

export function closeCountingUpstreams(upstreams: Record<string, CountingUpstream>): Promise<unknown> {
  return Promise.all(Object.values(upstreams).map(({ server }) => new Promise((resolve) => server.close(resolve))));
}

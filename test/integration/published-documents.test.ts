import { setTimeout as sleep } from 'node:timers/promises';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const DISCOVERY = '/.well-known/openid-configuration';
const API = 'https://documents-api.example.test';

const maxAgeOf = (response: Response) => Number(/^public, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]);

async function get(kl: RunningKeyline, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${kl.url}${path}`, { headers });
  return { response, etag: response.headers.get('etag'), text: await response.text() };
}

describe.each(backends)('discovery and JWKS from pre-serialised bodies on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const store = await backend.create();
    cleanup = store.cleanup;
    // At debug, so that the successful requests' lines (logged at debug, request-log.ts) can be compared.
    kl = await startKeyline({ store: store.location, logLevel: 'debug', config: { resources: { [API]: { scopes: ['read'] } }, metrics: { port: 0 } } });
  });
  afterAll(async () => {
    await kl.stop({ keepStore: true });
    await cleanup();
  });

  /** A response's headers, minus what differs on every response by design. */
  const headerShape = (response: Response) => [...response.headers]
    .filter(([name]) => !['date', 'x-request-id'].includes(name))
    .map(([name, value]) => `${name}: ${value.replace(/'nonce-[0-9a-f]+'/g, "'nonce-…'")}`);

  test.each(['/jwks', DISCOVERY])('%s: answered from its bytes ahead of the middleware with the same headers, request log line and metrics as the first answer', async (path) => {
    const requestId = `ahead-${Date.now()}-${path.length}`;
    const options = { headers: { origin: 'https://app.example.test', 'x-request-id': requestId } };
    // The first tests of this Keyline: the first request builds the bytes through oidc-provider and the middleware.
    const built = await fetch(`${kl.url}${path}`, options);
    const ahead = await fetch(`${kl.url}${path}`, options);
    expect(headerShape(ahead)).toEqual(headerShape(built));
    expect(await ahead.text()).toBe(await built.text());
    const lines = kl.logs.filter((line) => line.includes(`"requestId":"${requestId}"`) && line.includes(`"path":"${path}"`));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: 'request', method: 'GET', path, status: 200 });
    const metrics = await (await fetch(kl.metricsUrl!)).text();
    expect(metrics).toMatch(new RegExp(`keyline_http_requests_total\\{[^}]*status="2xx"[^}]*\\} \\d+`));
  });

  test.each(['/jwks', DISCOVERY])('%s: one strong ETag for one body, public caching, 304 on If-None-Match', async (path) => {
    const first = await get(kl, path);
    expect(first.response.status).toBe(200);
    expect(first.etag).toMatch(/^"[\w-]{27}"$/);
    const maxAge = maxAgeOf(first.response);
    expect(maxAge).toBeGreaterThan(0);
    if (path === '/jwks') {
      expect(first.response.headers.get('content-type')).toBe('application/jwk-set+json; charset=utf-8');
      expect(maxAge).toBeLessThan(kl.config.keys.prePublish);
    } else {
      expect(first.response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }

    const again = await get(kl, path);
    expect(again.etag).toBe(first.etag);
    expect(again.text).toBe(first.text);
    expect(again.response.headers.get('cache-control')).toBe(first.response.headers.get('cache-control'));

    for (const offered of [first.etag!, `W/${first.etag!}`, `"something-else", ${first.etag!}`, '*']) {
      const notModified = await get(kl, path, { 'if-none-match': offered });
      expect(notModified.response.status).toBe(304);
      expect(notModified.text).toBe('');
      expect(notModified.etag).toBe(first.etag);
      expect(notModified.response.headers.get('x-request-id')).toBeTruthy();
    }
    const changed = await get(kl, path, { 'if-none-match': '"an-older-tag"' });
    expect(changed.response.status).toBe(200);
    expect(changed.text).toBe(first.text);

    const head = await fetch(`${kl.url}${path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(first.etag);
  });

  test('the CORS answer is still oidc-provider\'s: the origin echoed, Vary: Origin', async () => {
    await get(kl, '/jwks');
    const { response } = await get(kl, '/jwks', { origin: 'https://app.example.test' });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect((await get(kl, '/jwks')).response.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('a key rotation seen by the node gives the JWKS a new body and tag; the old tag no longer answers 304', async () => {
    const before = await get(kl, '/jwks');
    const rotated = await runCli(kl, ['keys', 'rotate', '--alg', 'RS256']);
    expect(rotated.code).toBe(0);
    await kl.keyline.keys.refresh();

    const after = await get(kl, '/jwks', { 'if-none-match': before.etag! });
    expect(after.response.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    const kids = (JSON.parse(after.text) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
    expect(kids).toHaveLength((JSON.parse(before.text) as { keys: unknown[] }).keys.length + 1);
    expect((await get(kl, '/jwks', { 'if-none-match': after.etag! })).response.status).toBe(304);
  });

  test('a resource metadata link added with the CLI gives discovery a new body and tag', async () => {
    const before = await get(kl, DISCOVERY);
    const metadataUri = 'https://linked-api.example.test/.well-known/oauth-protected-resource';
    const added = await runCli(kl, ['resources', 'add', 'https://linked-api.example.test', '--scopes', 'read', '--metadata-uri', metadataUri]);
    expect(added.code).toBe(0);
    await sleep(300); // the resources revision is rechecked every 250 ms

    const after = await get(kl, DISCOVERY, { 'if-none-match': before.etag! });
    expect(after.response.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
    expect(JSON.parse(after.text)).toMatchObject({ keyline_protected_resource_metadata: { 'https://linked-api.example.test': metadataUri } });
  });
});

test('two nodes on one store serve the JWKS under the same tag', async () => {
  const first = await startKeyline();
  const second = await startKeyline({ store: first.config.store});
  try {
    // The issuer differs per node here (ports); the JWKS has no URL in it, so its tag is the same.
    expect((await get(second, '/jwks')).etag).toBe((await get(first, '/jwks')).etag);
  } finally {
    await second.stop({ keepStore: true });
    await first.stop();
  }
});

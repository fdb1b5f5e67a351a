import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, tokenRequest, type TestClient } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const API = 'https://api.example.test';
const DAY = 24 * 3600 * 1000;
const config = { resources: { [API]: { scopes: ['read'] } } };
// The longest-lived token is the id_token (3600 s); the default margin adds a day.
const RETENTION = 3600 * 1000 + DAY;

async function jwks(kl: RunningKeyline): Promise<JSONWebKeySet & { keys: Array<{ kid: string; alg: string; d?: string }> }> {
  return await (await fetch(`${kl.url}/jwks`)).json() as JSONWebKeySet & { keys: Array<{ kid: string; alg: string }> };
}

const rsKids = async (kl: RunningKeyline) => (await jwks(kl)).keys.filter((key) => key.alg === 'RS256').map((key) => key.kid);

async function accessToken(kl: RunningKeyline, machine: TestClient): Promise<string> {
  const response = await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read' });
  expect(response.status).toBe(200);
  return String(response.body.access_token);
}

describe.each(backends)('signing-key rotation on $name', (backend) => {
  test('pre-publication, rotation and retirement follow the schedule, and two nodes rotate once', async () => {
    const { location, cleanup } = await backend.create();
    let now = Date.now();
    const clock = () => now;
    const first = await startKeyline({ store: location, config, clock });
    const second = await startKeyline({ store: location, config, clock });
    const nodes = [first, second];
    try {
      const machine = await registerTestClient(first, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
      const [original] = await rsKids(first);
      expect(await rsKids(second)).toEqual([original]);
      const oldToken = await accessToken(first, machine);
      expect(decodeProtectedHeader(oldToken).kid).toBe(original);

      // A day before the rotation is due nothing happens; at 83 days the 7-day pre-publication starts.
      now += 82 * DAY;
      await Promise.all(nodes.map((node) => node.keyline.keys.refresh()));
      expect(await rsKids(first)).toEqual([original]);
      now += DAY;
      await Promise.all(nodes.map((node) => node.keyline.keys.refresh()));
      const keys = (await first.store.signingKeys.list()).filter((key) => key.alg === 'RS256');
      expect(keys).toHaveLength(2);
      const successor = keys[1]!.kid;
      for (const node of nodes) {
        expect(await rsKids(node)).toEqual([original, successor]);
        expect(decodeProtectedHeader(await accessToken(node, machine)).kid).toBe(original);
      }

      // A node that starts mid-rotation serves the very same key set.
      const late = await startKeyline({ store: location, config, clock });
      nodes.push(late);
      expect((await jwks(late)).keys.map((key) => key.kid)).toEqual((await jwks(first)).keys.map((key) => key.kid));

      // Day 90: the successor signs; tokens the old key signed still verify against the JWKS.
      now += 7 * DAY + 1000;
      await Promise.all(nodes.map((node) => node.keyline.keys.refresh()));
      for (const node of nodes) {
        const fresh = await accessToken(node, machine);
        expect(decodeProtectedHeader(fresh).kid).toBe(successor);
        const keySet = createLocalJWKSet(await jwks(node));
        await expect(jwtVerify(fresh, keySet, { audience: API })).resolves.toBeTruthy();
        await expect(jwtVerify(oldToken, keySet, { audience: API })).resolves.toBeTruthy();
      }
      expect(await rsKids(first)).toEqual([successor, original]);

      // The old key stays published until what it signed has expired, then leaves.
      now += RETENTION - 2000;
      await Promise.all(nodes.map((node) => node.keyline.keys.refresh()));
      expect(await rsKids(first)).toContain(original);
      now += 3000;
      await Promise.all(nodes.map((node) => node.keyline.keys.refresh()));
      for (const node of nodes) expect(await rsKids(node)).toEqual([successor]);
      expect((await first.store.signingKeys.list()).filter((key) => key.alg === 'RS256')).toHaveLength(2);
    } finally {
      for (const node of nodes) await node.stop({ keepStore: true });
      await cleanup();
    }
  });

  test('nodes starting at once on a fresh store generate one key per algorithm between them', async () => {
    const { location, cleanup } = await backend.create();
    const nodes = await Promise.all([1, 2, 3].map(() => startKeyline({ store: location, config })));
    try {
      const sets = await Promise.all(nodes.map(async (node) => (await jwks(node)).keys.map((key) => key.kid)));
      expect(new Set(sets.map((kids) => kids.join()))).toHaveProperty('size', 1);
      const stored = await nodes[0]!.store.signingKeys.list();
      expect(stored.map((key) => key.alg).sort()).toEqual(['ES256', 'Ed25519', 'EdDSA', 'RS256']);
    } finally {
      for (const node of nodes) await node.stop({ keepStore: true });
      await cleanup();
    }
  });
});

describe('keys CLI and the JWKS response', () => {
  let kl: RunningKeyline;
  beforeAll(async () => { kl = await startKeyline({ config }); });
  afterAll(() => kl.stop());

  test('the JWKS is cacheable for less than the pre-publication window and revalidates with its ETag', async () => {
    const response = await fetch(`${kl.url}/jwks`);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThan(kl.config.keys.prePublish);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${kl.url}/jwks`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  test('the stored private keys are sealed, not JWKs in plaintext', async () => {
    for (const key of await kl.store.signingKeys.list()) {
      expect(key.privateJwk).toMatch(/^kl1\./);
      expect(key.privateJwk).not.toContain('"d"');
      expect(() => JSON.parse(key.privateJwk) as unknown).toThrow();
    }
  });

  test('keys rotate pre-publishes; rotate --now needs --yes, then signs at once and retires the old key', async () => {
    const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
    const [original] = await rsKids(kl);
    const rotated = await runCli(kl, ['keys', 'rotate', '--alg', 'RS256']);
    expect(rotated.stderr).toBe('');
    expect(rotated.stdout).toMatch(/^RS256: \S+ is published now and signs from /);
    await kl.keyline.keys.refresh();
    const kids = await rsKids(kl);
    expect(kids).toHaveLength(2);
    expect(kids[0]).toBe(original);

    const refused = await runCli(kl, ['keys', 'rotate', '--now', '--alg', 'RS256']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^keyline: .*pass --yes to confirm.*\n$/);

    const now = await runCli(kl, ['keys', 'rotate', '--now', '--alg', 'RS256', '--yes']);
    expect(now.code).toBe(0);
    const replacement = /RS256: (\S+) signs now/.exec(now.stdout)![1]!;
    await kl.keyline.keys.refresh();
    expect(await rsKids(kl)).toEqual([replacement]);
    expect(decodeProtectedHeader(await accessToken(kl, machine)).kid).toBe(replacement);

    const listed = JSON.parse((await runCli(kl, ['keys', 'list', '--json'])).stdout) as Array<{ kid: string; status: string }>;
    expect(listed.find((key) => key.kid === original)?.status).toBe('retired');
    expect(listed.find((key) => key.kid === replacement)?.status).toBe('signing');
  });

  test('keys retire takes a pending key out of the JWKS, and refuses the signing key', async () => {
    await runCli(kl, ['keys', 'rotate', '--alg', 'ES256']);
    const listed = JSON.parse((await runCli(kl, ['keys', 'list', '--json'])).stdout) as Array<{ kid: string; alg: string; status: string }>;
    const pending = listed.find((key) => key.alg === 'ES256' && key.status === 'pending')!;
    const signing = listed.find((key) => key.alg === 'ES256' && key.status === 'signing')!;

    const refused = await runCli(kl, ['keys', 'retire', '--yes', '--', signing.kid]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is the ES256 signing key: replace it with `keyline keys rotate --now --alg ES256`/);

    expect((await runCli(kl, ['keys', 'retire', '--yes', '--', pending.kid])).code).toBe(0);
    await kl.keyline.keys.refresh({ maintain: false });
    expect((await jwks(kl)).keys.map((key) => key.kid)).not.toContain(pending.kid);
    expect((await runCli(kl, ['keys', 'retire', 'no-such-kid', '--yes'])).stderr).toMatch(/no signing key with kid no-such-kid/);
  });
});

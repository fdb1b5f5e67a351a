/**
 * Issue 19, item 3: a URL a client or receiver gives Keyline (a jwks_uri, a sector_identifier_uri,
 * a push receiver) must never make Keyline call into the network it runs in, whatever dress the
 * address wears: IPv4-mapped, IPv4-compatible, NAT64, 6to4, decimal or octal IPv4, a name that
 * resolves there, or a redirect from somewhere allowed. A trap listens on 127.0.0.1: whatever the
 * entry point (/reg, the CLI, the admin API, an SSF stream), it must see no connection at all.
 * Nothing here connects anywhere but 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { outboundFetch } from '../../src/outbound/outbound-fetch.ts';
import { AdminSession } from '../support/admin-api.ts';
import { clientAssertion, clientKey, tokenWithAssertion, type ClientKey } from '../support/client-keys.ts';
import { eventually } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import { createTestUser, registerTestClient } from '../support/oidc-flow.ts';
import { revokeEverywhere, signedIn } from '../support/session-ending-paths.ts';
import { registerReceiver, type SsfReceiver } from '../support/ssf-receiver.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/** A listener on 127.0.0.1 that counts every connection made to it, TLS or not. */
interface Trap {
  port: number;
  connections(): number;
  /** From now on, answer every request with a redirect to this URL. */
  redirectTo(url: string): void;
  close(): Promise<void>;
}

async function startTrap(): Promise<Trap> {
  let connections = 0;
  let location: string | undefined;
  const server: Server = createServer((_request, response) => {
    if (location) response.writeHead(302, { location }).end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    redirectTo: (url) => { location = url; },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 127.0.0.1 in every dress a URL can give it. */
const LOOPBACK_IN_DISGUISE = [
  '[::ffff:127.0.0.1]', // IPv4-mapped; the URL parser serialises it as [::ffff:7f00:1]
  '[::ffff:7f00:1]',
  '[::127.0.0.1]', // IPv4-compatible
  '[64:ff9b::7f00:1]', // NAT64
  '[2002:7f00:1::]', // 6to4
  '2130706433', // decimal
  '0177.0.0.1', // octal
  'localhost', // a name that resolves to it
];

const key: ClientKey = await clientKey('attacker-key');
let trap: Trap;
beforeAll(async () => { trap = await startTrap(); });
afterAll(() => trap.close());

/** A token request by a private_key_jwt client, which makes Keyline fetch the client's jwks_uri. */
async function assertionToken(kl: RunningKeyline, clientId: string): Promise<number> {
  return (await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, key))).status;
}

describe('the guarded fetch itself', () => {
  test.each(LOOPBACK_IN_DISGUISE)('refuses http://%s before connecting', async (host) => {
    const before = trap.connections();
    await expect(outboundFetch({ allowPrivateNetworks: false })(`http://${host}:${trap.port}/`)).rejects.toThrow();
    expect(trap.connections()).toBe(before);
  });

  test('refuses a public-looking name whose resolver answers 127.0.0.1', async () => {
    const resolvesInside: LookupFunction = (_name, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (error: null, all: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const before = trap.connections();
    await expect(outboundFetch({ allowPrivateNetworks: false, lookup: resolvesInside })(`http://keys.example.com:${trap.port}/`)).rejects.toMatchObject({ cause: { name: 'PrivateAddressRefused' } });
    expect(trap.connections()).toBe(before);
  });

  test('follows no redirect, even under the development allowance', async () => {
    const inside = await startTrap();
    trap.redirectTo(`http://127.0.0.1:${inside.port}/`);
    try {
      const response = await outboundFetch({ allowPrivateNetworks: true })(`http://127.0.0.1:${trap.port}/`);
      expect(response.status).toBe(302);
      expect(inside.connections()).toBe(0);
    } finally {
      trap.redirectTo(undefined as unknown as string);
      await inside.close();
    }
  });

  test('an answer larger than the limit fails instead of filling memory', async () => {
    const fetchSmall = outboundFetch({ allowPrivateNetworks: true, maxBodyBytes: 4 });
    const response = await fetchSmall(`http://127.0.0.1:${trap.port}/`);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('every way a URL reaches Keyline', () => {
  let kl: RunningKeyline;
  beforeAll(async () => {
    kl = await startKeyline({ config: { registration: { dynamic: true, dynamicClients: { grantTypes: ['client_credentials'], scopes: ['openid'] } }, signals: { maxStreamsPerReceiver: 20 }, jobs: { pollInterval: 0.2, retryBase: 60 } } });
  });
  afterAll(() => kl.stop());

  let initialAccessToken: string | undefined;
  async function registrationToken(): Promise<string> {
    if (initialAccessToken) return initialAccessToken;
    const created = await runCli(kl, ['registration', 'token', 'create']);
    expect(created.code).toBe(0);
    initialAccessToken = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    return initialAccessToken;
  }

  async function register(metadata: Record<string, unknown>): Promise<Response> {
    return fetch(`${kl.url}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await registrationToken()}` },
      body: JSON.stringify(metadata),
    });
  }

  const keyClient = (jwksUri: string) => ({
    client_name: 'Attacker', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks_uri: jwksUri,
  });

  test('/reg: a jwks_uri inside the network is never fetched, and a plain-http one is refused at registration', async () => {
    const before = trap.connections();
    for (const host of LOOPBACK_IN_DISGUISE) {
      const registered = await register(keyClient(`https://${host}:${trap.port}/jwks`));
      expect(registered.status).toBe(201);
      const { client_id: clientId } = await registered.json() as { client_id: string };
      expect(await assertionToken(kl, clientId)).toBe(401);
      expect(trap.connections()).toBe(before);
      const refused = await register(keyClient(`http://${host}:${trap.port}/jwks`));
      expect(refused.status).toBe(400);
      expect((await refused.json() as { error: string }).error).toBe('invalid_client_metadata');
    }
    expect(trap.connections()).toBe(before);
  });

  test('/reg: sector_identifier_uri is refused (subjects are public) without being fetched, and the answer says nothing of it', async () => {
    const before = trap.connections();
    for (const host of LOOPBACK_IN_DISGUISE) {
      for (const scheme of ['http', 'https']) {
        const answer = await register({
          client_name: 'Attacker', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], sector_identifier_uri: `${scheme}://${host}:${trap.port}/sector`,
        });
        expect(trap.connections()).toBe(before);
        expect(answer.status).toBe(400);
        const body = await answer.json() as { error: string; error_description: string };
        expect(body.error).toBe('invalid_client_metadata');
        expect(body.error_description).not.toMatch(/status|200|JSON|array/i);
      }
    }
    expect(trap.connections()).toBe(before);
  });

  test('/reg (RFC 7592 update): a sector_identifier_uri added to a registration is refused the same way, without being fetched', async () => {
    const registered = await register(keyClient(`https://keys.example.test/jwks`));
    expect(registered.status).toBe(201);
    const { registration_access_token: token, registration_client_uri: uri, ...metadata } = await registered.json() as Record<string, unknown>;
    const before = trap.connections();
    for (const host of LOOPBACK_IN_DISGUISE) {
      const { client_secret_expires_at: _expires, client_id_issued_at: _issued, ...current } = metadata;
      const answer = await fetch(String(uri), {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${String(token)}` },
        body: JSON.stringify({ ...current, sector_identifier_uri: `https://${host}:${trap.port}/sector` }),
      });
      expect(trap.connections()).toBe(before);
      expect(answer.status).toBe(400);
      const { error_description: description } = await answer.json() as { error_description: string };
      expect(description).toMatch(/sector_identifier_uri/);
      expect(description).not.toMatch(/status|200|JSON|array/i);
    }
  });

  test('the CLI: clients add --jwks-uri inside the network is never fetched; plain http is refused', async () => {
    const before = trap.connections();
    for (const host of LOOPBACK_IN_DISGUISE) {
      const add = (uri: string) => runCli(kl, ['clients', 'add', '--name', 'Attacker', '--grant-types', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks-uri', uri]);
      const added = await add(`https://${host}:${trap.port}/jwks`);
      expect(added.code).toBe(0);
      const clientId = String((JSON.parse(added.stdout) as { client_id: string }).client_id);
      expect(await assertionToken(kl, clientId)).toBe(401);
      expect(trap.connections()).toBe(before);
      const refused = await add(`http://${host}:${trap.port}/jwks`);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/jwks_uri: .* must be an https URL/);
    }
    expect(trap.connections()).toBe(before);
  }, 90_000);

  test('the admin API: a client\'s jwksUri inside the network is never fetched; plain http is refused', async () => {
    const admin = await AdminSession.open(kl);
    const before = trap.connections();
    for (const host of LOOPBACK_IN_DISGUISE) {
      const create = (jwksUri: string) => admin.call('POST', '/clients', {
        name: 'Attacker', grantTypes: ['client_credentials'], authMethod: 'private_key_jwt', jwksUri,
      });
      const created = await create(`https://${host}:${trap.port}/jwks`);
      expect(created.status).toBe(201);
      expect(await assertionToken(kl, String(created.body.clientId))).toBe(401);
      expect(trap.connections()).toBe(before);
      const refused = await create(`http://${host}:${trap.port}/jwks`);
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toMatch(/must be an https URL/);
    }
    expect(trap.connections()).toBe(before);
  });

  test('back-channel logout: a client whose logout URI is inside the network gets no logout token; the delivery fails as refused', async () => {
    const user = await createTestUser(kl);
    const logins = [];
    for (const host of LOOPBACK_IN_DISGUISE) {
      const client = await registerTestClient(kl, { backchannelLogoutUri: `https://${host}:${trap.port}/backchannel-logout`, backchannelLogoutSessionRequired: true });
      logins.push(await signedIn(kl, client, user));
    }
    const before = trap.connections();
    await revokeEverywhere(kl, logins[0]!);
    const failed = await eventually('every logout delivery to have failed once', async () => {
      const jobs = (await kl.store.jobs.list({ limit: 1000 })).filter((job) => job.kind === 'backchannel-logout' && job.lastError);
      return jobs.length >= LOOPBACK_IN_DISGUISE.length && jobs;
    });
    expect(trap.connections()).toBe(before);
    for (const job of failed) expect(job.lastError).toMatch(/special-use/);
  }, 90_000);

  describe('a shared-signals push stream', () => {
    let receiver: SsfReceiver;
    beforeAll(async () => { receiver = await registerReceiver(kl, `Attacker ${randomUUID()}`); });

    test('whose receiver URL is inside the network gets its SETs never sent: the delivery fails as refused', async () => {
      const before = trap.connections();
      for (const host of LOOPBACK_IN_DISGUISE) {
        const endpoint = `https://${host}:${trap.port}/events`;
        const created = await receiver.call('POST', '/ssf/streams', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: endpoint } });
        expect(created.status).toBe(201);
        const streamId = (created.body as { stream_id: string }).stream_id;
        expect((await receiver.call('POST', '/ssf/verify', { stream_id: streamId })).status).toBe(204);
        const failed = await eventually(`the push to ${endpoint} to fail`, async () => (await kl.store.jobs.list({ limit: 1000 }))
          .find((job) => job.kind === 'ssf.push' && JSON.stringify(job.payload).includes(streamId) && job.lastError));
        expect(trap.connections()).toBe(before);
        expect(failed.lastError).toMatch(/special-use/);
      }
      expect(trap.connections()).toBe(before);
    });
  });
});

describe('under the development allowance (outbound.allowPrivateNetworks), a redirect is still not followed', () => {
  let kl: RunningKeyline;
  let inside: Trap;
  beforeAll(async () => {
    inside = await startTrap();
    kl = await startKeyline({ config: { outbound: { allowPrivateNetworks: true } } });
  });
  afterAll(async () => {
    await kl.stop();
    await inside.close();
  });

  test('a jwks_uri that answers with a redirect gets no token, and the redirect\'s target sees nothing', async () => {
    const redirecting = await startTrap();
    redirecting.redirectTo(`http://127.0.0.1:${inside.port}/jwks`);
    try {
      const admin = await AdminSession.open(kl);
      const created = await admin.call('POST', '/clients', {
        name: 'Redirecting keys', grantTypes: ['client_credentials'], authMethod: 'private_key_jwt', jwksUri: `http://127.0.0.1:${redirecting.port}/jwks`,
      });
      expect(created.status).toBe(201);
      expect(await assertionToken(kl, String(created.body.clientId))).toBe(401);
      expect(redirecting.connections()).toBeGreaterThan(0);
      expect(inside.connections()).toBe(0);
    } finally {
      await redirecting.close();
    }
  });
});

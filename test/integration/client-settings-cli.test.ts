import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { DEVICE_CODE_GRANT } from '../../src/oidc/client-registration.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import {
  clientAssertion, clientKey, startJwksServer, stopJwksServer, tokenWithAssertion, type ClientKey, type JwksServer,
} from '../support/client-keys.ts';
import { pollForTokens, startDeviceAuthorization } from '../support/device-flow.ts';
import { authorizeUrl, basicAuth, pkcePair, REDIRECT_URI, type TestClient } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * Client settings as an administrator gives them, through `keyline clients add|update`, and what
 * the running server then makes of them.
 */
let kl: RunningKeyline;
let jwks: JwksServer;
let key: ClientKey;
const files = temporaryDirectory('keyline-keys-');

beforeAll(async () => {
  key = await clientKey('service-key-1');
  jwks = await startJwksServer([key.publicJwk]);
  kl = await startKeyline({ config: { outbound: { allowPrivateNetworks: true } } });
});
afterAll(async () => {
  await stopJwksServer(jwks);
  await kl.stop();
  files.remove();
});

/** The CLI reads the server's configuration: the same development allowance (jwks.url is plain http on 127.0.0.1). */
function developmentConfig(): Record<string, string> {
  const path = join(files.path, 'keyline.yaml');
  writeFileSync(path, 'outbound:\n  allowPrivateNetworks: true\n');
  return { KEYLINE_CONFIG: path };
}

function keyFile(name: string, content: unknown): string {
  const path = join(files.path, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function added(args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(kl, ['clients', 'add', ...args], '', developmentConfig());
  if (result.code !== 0) throw new Error(`clients add failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

async function updated(clientId: string, args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(kl, ['clients', 'update', clientId, ...args], '', developmentConfig());
  if (result.code !== 0) throw new Error(`clients update failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

function secretToken(clientId: string, secret: string, dpop?: string) {
  return fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth({ clientId, clientSecret: secret, redirectUri: '' }),
      ...(dpop ? { dpop } : {}),
    },
    body: 'grant_type=client_credentials',
  });
}

describe('--auth-method private_key_jwt', () => {
  test('with --jwks-uri: no secret, and assertions signed with the key published there get tokens', async () => {
    const client = await added(['--name', 'Ledger service', '--grant-types', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks-uri', jwks.url]);
    expect(client).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwks.url });
    expect(client.client_secret).toBeUndefined();
    const clientId = String(client.client_id);
    expect(JSON.stringify(await kl.store.clients.find(clientId))).not.toMatch(/client_secret/);
    expect((await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, key))).status).toBe(200);
  });

  test('with --jwks FILE (a JWK Set, or one JWK): the keys are registered and used', async () => {
    const fromSet = await clientKey('from-a-set', 'RS256');
    const single = await clientKey('a-single-jwk', 'Ed25519');
    for (const [file, signer] of [[keyFile('set.json', { keys: [fromSet.publicJwk] }), fromSet], [keyFile('one.json', single.publicJwk), single]] as const) {
      const client = await added(['--name', 'File keys', '--grant-types', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks', file]);
      expect((client.jwks as { keys: JWK[] }).keys.map((jwk) => jwk.kid)).toEqual([signer.publicJwk.kid]);
      const clientId = String(client.client_id);
      expect((await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, signer))).status).toBe(200);
      // A key the client did not register signs nothing.
      expect((await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, await clientKey(signer.publicJwk.kid!, 'ES256')))).status).toBe(401);
    }
  });

  test('update moves a secret client to its own keys (the secret stops working) and back (a new secret, the keys gone)', async () => {
    const client = await added(['--name', 'Moving service', '--grant-types', 'client_credentials']);
    const clientId = String(client.client_id);
    const secret = String(client.client_secret);
    expect((await secretToken(clientId, secret)).status).toBe(200);

    const keyed = await updated(clientId, ['--auth-method', 'private_key_jwt', '--jwks', keyFile('moving.json', { keys: [key.publicJwk] })]);
    expect(keyed.client_secret).toBeUndefined();
    expect((await secretToken(clientId, secret)).status).toBe(401);
    expect((await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, key))).status).toBe(200);

    const rekeyed = await updated(clientId, ['--jwks-uri', jwks.url]);
    expect(rekeyed).toMatchObject({ jwks_uri: jwks.url });
    expect(rekeyed.jwks).toBeUndefined();

    const back = await updated(clientId, ['--auth-method', 'client_secret_basic']);
    expect(back.jwks_uri).toBeUndefined();
    expect(back.client_secret).toMatch(/^[\w-]{43}$/);
    expect((await secretToken(clientId, String(back.client_secret))).status).toBe(200);
  });
});

describe('keys the CLI refuses, each in one line, registering nothing (every rule: test/unit/client-keys.test.ts)', () => {
  test.each([
    ['a file that is not there', async () => join(files.path, 'missing.json'), /^keyline: --jwks: cannot read .*missing\.json \(ENOENT\)$/],
    ['a file that is not JSON', async () => keyFile('garbage.json', 'keys: [not json'), /--jwks: .*garbage\.json is not JSON/],
    ['a private key', async () => keyFile('private.json', {
      keys: [{ ...await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey), kid: 'leaked' }],
    }), /invalid client: keys: key "leaked" contains private key material \("d"\); give only the public key/],
    ['a symmetric key', async () => keyFile('oct.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'shared' }] }), /key "shared" is a symmetric key/],
  ])('%s', async (_name, file, message) => {
    const before = (await kl.store.clients.list()).length;
    const result = await runCli(kl, ['clients', 'add', '--name', 'Bad keys', '--grant-types', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks', await file()]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await kl.store.clients.list()).length).toBe(before);
  });

  test.each([
    [['--auth-method', 'private_key_jwt'], /a private_key_jwt client needs its public keys: --jwks-uri URL or --jwks FILE/],
    [['--jwks-uri', 'https://keys.example.test/jwks.json'], /--jwks-uri and --jwks are for clients with --auth-method private_key_jwt/],
    [['--auth-method', 'private_key_jwt', '--jwks-uri', 'https://keys.example.test/jwks.json', '--jwks', '/dev/null'], /--jwks: .*is not JSON/],
    [['--auth-method', 'private_key_jwt', '--jwks-uri', 'ftp://keys.example.test/jwks.json'], /jwks_uri: "ftp:\/\/keys.example.test\/jwks.json" must be an https URL/],
    [['--auth-method', 'client_secret_jwt'], /auth method: "client_secret_jwt" is not offered/],
    [['--require-par'], /--require-par is for clients that use authorization_code/],
    [['--dpop-bound', '--no-dpop-bound'], /--dpop-bound and --no-dpop-bound contradict each other/],
  ])('clients add --grant-types client_credentials %j', async (args, message) => {
    const result = await runCli(kl, ['clients', 'add', '--name', 'Refused', '--grant-types', 'client_credentials', ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('--require-par', () => {
  function plainAuthorization(clientId: string) {
    const { challenge } = pkcePair();
    const client: TestClient = { clientId, redirectUri: REDIRECT_URI };
    return new BrowserLikeClient().get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }));
  }

  test('makes the client send its authorization requests through /request only; --no-require-par lifts it', async () => {
    const client = await added(['--name', 'PAR app', '--redirect-uri', REDIRECT_URI, '--require-par']);
    expect(client.require_pushed_authorization_requests).toBe(true);
    const clientId = String(client.client_id);
    const refused = new URL((await plainAuthorization(clientId)).location!);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('error_description')).toMatch(/pushed authorization request/i);

    const pushed = await fetch(`${kl.url}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth({ clientId, clientSecret: String(client.client_secret), redirectUri: REDIRECT_URI }) },
      body: new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }).toString(),
    });
    expect(pushed.status).toBe(201);

    const lifted = await updated(clientId, ['--no-require-par']);
    expect(lifted.require_pushed_authorization_requests).toBeUndefined();
    expect((await plainAuthorization(clientId)).location).toMatch(/\/interaction\//);
  });
});

describe('--dpop-bound', () => {
  test('makes the client prove a DPoP key, with the server\'s nonce, for tokens bound to it; --no-dpop-bound lifts it', async () => {
    const client = await added(['--name', 'DPoP worker', '--grant-types', 'client_credentials', '--dpop-bound']);
    expect(client.dpop_bound_access_tokens).toBe(true);
    const clientId = String(client.client_id);
    const secret = String(client.client_secret);
    expect((await secretToken(clientId, secret)).status).toBe(400);

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { kty, crv, x, y } = await exportJWK(publicKey);
    const proof = (nonce?: string) => new SignJWT({ htm: 'POST', htu: `${kl.url}/token`, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty, crv, x, y } }).setIssuedAt().sign(privateKey);
    const first = await secretToken(clientId, secret, await proof());
    expect((await first.json() as { error: string }).error).toBe('use_dpop_nonce');
    const bound = await secretToken(clientId, secret, await proof(first.headers.get('dpop-nonce')!));
    expect(bound.status).toBe(200);
    expect((await bound.json() as { token_type: string }).token_type).toBe('DPoP');

    await updated(clientId, ['--no-dpop-bound']);
    const plain = await secretToken(clientId, secret);
    expect(plain.status).toBe(200);
    expect((await plain.json() as { token_type: string }).token_type).toBe('Bearer');
  });
});

describe(`--grant-types ${DEVICE_CODE_GRANT}`, () => {
  test('registers a device client, public or confidential, without redirect URIs, and the device flow works for it', async () => {
    const publicTv = await added(['--name', 'Kitchen TV', '--grant-types', `${DEVICE_CODE_GRANT},refresh_token`, '--public']);
    expect(publicTv).toMatchObject({ grant_types: [DEVICE_CODE_GRANT, 'refresh_token'], token_endpoint_auth_method: 'none', redirect_uris: [], response_types: [] });
    expect(publicTv.client_secret).toBeUndefined();
    expect(publicTv.scope).toBe('openid profile email offline_access');

    const confidential = await added(['--name', 'Set-top box', '--grant-types', DEVICE_CODE_GRANT]);
    expect(confidential.client_secret).toBeTruthy();

    for (const registered of [publicTv, confidential]) {
      const client: TestClient = { clientId: String(registered.client_id), clientSecret: registered.client_secret as string | undefined, redirectUri: '' };
      const device = await startDeviceAuthorization(kl, client);
      expect((await pollForTokens(kl, client, device.device_code)).body.error).toBe('authorization_pending');
    }
  });

  test('a client without the grant cannot start a device authorization', async () => {
    const web = await added(['--name', 'Web only', '--redirect-uri', REDIRECT_URI]);
    const answer = await fetch(`${kl.url}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth({ clientId: String(web.client_id), clientSecret: String(web.client_secret), redirectUri: '' }) },
      body: 'scope=openid',
    });
    expect(answer.status).toBe(400);
    expect((await answer.json() as { error: string }).error).toBe('unauthorized_client');
  });
});

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningJwk } from '../../src/keys/signing-key-material.ts';
import { SecretCipher } from '../../src/keys/secret-cipher.ts';
import { secretAssociatedData } from '../../src/keys/sealed-secrets.ts';
import { openUpstreamSecret, sealUpstreamSecret } from '../../src/federation/upstream-secrets.ts';
import { openAuthorizationHeader, sealAuthorizationHeader } from '../../src/signals/stream-authorization.ts';
import { openStore } from '../../src/store/open-store.ts';
import { runCli } from '../support/run-cli.ts';
import { runMain } from '../support/run-main.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';

const OLD_KEY = 'the-old-secrets-key-0123456789abcdefghijkl';
const NEW_KEY = 'the-new-secrets-key-0123456789abcdefghijkl';

let directory: ReturnType<typeof temporaryDirectory>;
beforeEach(() => { directory = temporaryDirectory(); });
afterEach(() => directory.remove());

const storeIn = () => join(directory.path, 'keyline.sqlite');
const startAndStop = (env: Record<string, string>) => runMain({ KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: storeIn(), ...env }, async () => {});

test('a wrong KEYLINE_SECRETS_KEY stops start-up with one line saying which key is needed', async () => {
  expect((await startAndStop({ KEYLINE_SECRETS_KEY: OLD_KEY })).code).toBe(0);
  const wrong = await startAndStop({ KEYLINE_SECRETS_KEY: NEW_KEY });
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/^keyline: signing-key:\S+ was encrypted under secrets key \S+, which is not among the configured keys .*KEYLINE_SECRETS_KEY.*\n$/);
  expect(wrong.stderr).not.toMatch(/\n\s+at /);
});

test('a secrets key that is too short is one configuration line naming the variable', async () => {
  const result = await startAndStop({ KEYLINE_SECRETS_KEY: 'too-short' });
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('keyline: invalid configuration:\n  secrets.keys.0 (KEYLINE_SECRETS_KEY): each secrets key needs at least 32 characters\n');
});

test('in production there is no start without a secrets key, and the one line says how to set it', async () => {
  const result = await startAndStop({ KEYLINE_SECRETS_KEY: '', NODE_ENV: 'production', XDG_CONFIG_HOME: directory.path });
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('keyline: no secrets key configured: signing keys and other secrets are encrypted at rest in production; '
    + 'set KEYLINE_SECRETS_KEY to 32+ random characters, e.g. KEYLINE_SECRETS_KEY=$(openssl rand -base64 32)\n');
});

test('in development a key is generated once, kept outside the store (mode 0600), and announced once', async () => {
  const env = { KEYLINE_SECRETS_KEY: '', XDG_CONFIG_HOME: join(directory.path, 'config') };
  const first = await startAndStop(env);
  const keyFile = join(directory.path, 'config', 'keyline', 'secrets.key');
  expect(first.code).toBe(0);
  expect(first.stdout.match(/generated a development key/g)).toHaveLength(1);
  expect(first.stdout).toContain(keyFile);
  expect(existsSync(keyFile)).toBe(true);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(readFileSync(keyFile, 'utf8').trim().length).toBeGreaterThanOrEqual(32);

  const second = await startAndStop(env);
  expect(second.code).toBe(0);
  expect(second.stdout).not.toMatch(/generated a development key/);
});

test('keyline migrate encrypts plaintext keys and secrets, and re-encrypts under the newest key so the old one can go', async () => {
  const store = await openStore({ store: storeIn(), sqlite: { synchronous: 'NORMAL' } });
  const legacy = await generateSigningJwk('RS256');
  const now = new Date();
  await store.signingKeys.add({ kid: legacy.kid, alg: 'RS256', sequence: 1, privateJwk: JSON.stringify(legacy.jwk), createdAt: now, activatesAt: now, retiredAt: null });
  await store.secrets.putIfAbsent('cookie-keys', JSON.stringify(['a-cookie-key-from-before-encryption-000']));
  await store.close();
  const target = { store: storeIn() };

  const encrypted = await runCli(target, ['migrate'], '', { KEYLINE_SECRETS_KEY: OLD_KEY });
  expect(encrypted.stderr).toBe('');
  expect(encrypted.stdout).toMatch(/signing keys 1 encrypted, 0 re-encrypted; other secrets 1 encrypted, 0 re-encrypted/);

  // A push receiver's authorization header, sealed under the old key as the server would have.
  const withStream = await openStore({ store: storeIn(), sqlite: { synchronous: 'NORMAL' } });
  await withStream.streams.create({
    id: 'stream-1', clientId: 'receiver', audience: 'receiver', deliveryMethod: 'urn:ietf:rfc:8935', endpointUrl: 'https://receiver.example.test/events',
    authorizationHeader: sealAuthorizationHeader(new SecretCipher([OLD_KEY]), 'stream-1', 'Bearer the-receivers-secret'),
    eventsRequested: [], description: null, status: 'enabled', statusReason: null, createdAt: now, updatedAt: now,
  });
  // An upstream's client secret, sealed under the old key as `keyline upstreams add` would have.
  await withStream.upstreams.create({
    id: 'acme', name: 'Acme', type: 'oidc', enabled: true, preset: null, settings: {}, domains: [], provisioning: 'create', sync: 'always',
    sealedSecrets: { clientSecret: sealUpstreamSecret(new SecretCipher([OLD_KEY]), 'acme', 'clientSecret', 'the-upstreams-client-secret') },
    trustMfa: false, mapping: { claims: {}, groups: [] }, upstreamLogout: false, createdAt: now, updatedAt: now,
  });
  await withStream.close();

  const rotated = await runCli(target, ['migrate'], '', { KEYLINE_SECRETS_KEY: `${NEW_KEY},${OLD_KEY}` });
  expect(rotated.stdout).toMatch(/signing keys 1 encrypted|signing keys 0 encrypted, 1 re-encrypted; other secrets 0 encrypted, 1 re-encrypted; signal receivers' authorization headers 1 re-encrypted; upstream secrets 1 re-encrypted/);
  const again = await runCli(target, ['migrate'], '', { KEYLINE_SECRETS_KEY: `${NEW_KEY},${OLD_KEY}` });
  expect(again.stdout).toMatch(/signing keys 0 encrypted, 0 re-encrypted; other secrets 0 encrypted, 0 re-encrypted/);

  const reopened = await openStore({ store: storeIn(), sqlite: { synchronous: 'NORMAL' } });
  const onlyNew = new SecretCipher([NEW_KEY]);
  const [key] = await reopened.signingKeys.list();
  expect(key!.privateJwk).toMatch(new RegExp(`^kl1\\.${onlyNew.currentKeyId}\\.`));
  expect(key!.privateJwk).not.toContain(legacy.jwk.d!);
  const cookieKeys = await reopened.secrets.get('cookie-keys');
  expect(onlyNew.decrypt(cookieKeys!, secretAssociatedData('cookie-keys'))).toContain('a-cookie-key-from-before-encryption-000');
  const stream = await reopened.streams.find('stream-1');
  expect(openAuthorizationHeader(onlyNew, 'stream-1', stream!.authorizationHeader!)).toBe('Bearer the-receivers-secret');
  expect(openUpstreamSecret(onlyNew, (await reopened.upstreams.find('acme'))!, 'clientSecret')).toBe('the-upstreams-client-secret');
  await reopened.close();

  // The old key is no longer needed: the server starts with the new one alone and serves the legacy key.
  let kids: string[] = [];
  const started = await runMain({ KEYLINE_CONFIG: '/dev/null', KEYLINE_STORE: storeIn(), KEYLINE_SECRETS_KEY: NEW_KEY }, async (url) => {
    kids = ((await (await fetch(`${url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((jwk) => jwk.kid);
  });
  expect(started.code).toBe(0);
  expect(kids).toContain(legacy.kid);
});

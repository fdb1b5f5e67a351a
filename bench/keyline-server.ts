/**
 * The Keyline side of the benchmark: a real, unpatched Keyline built by the composition root on the
 * embedded SQLite store, in its own process. Seeds clients and users, then prints one JSON line.
 *
 *   node bench/keyline-server.ts --data-dir DIR --upstream-issuer URL [--users N] [--log-level info] [--workers N]
 *
 * The web client offers BENCH_UPSTREAMS, each an oidc upstream at the bench's upstream process
 * (`--upstream-issuer`, see upstream-server.ts), where this process registers Keyline's callback
 * for each by Dynamic Client Registration before it announces itself.
 *
 * With --workers N (more than 1) this process only seeds the store, then runs the real
 * `src/main.ts` with `workers: N` on the same port and store, and announces that instead.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashPassword } from '../src/accounts/password-hashing.ts';
import { createApp } from '../src/app.ts';
import { auditedChange } from '../src/audit/audited-change.ts';
import { parseConfig } from '../src/config/load-config.ts';
import { createUpstream, type UpstreamAdministration } from '../src/federation/upstream-administration.ts';
import { upstreamCallbackUrl } from '../src/federation/start-upstream-step.ts';
import { openSecretCipher } from '../src/keys/open-secret-cipher.ts';
import { createLogger } from '../src/logger.ts';
import { registerClient, type ClientRegistration, type RegistrationContext } from '../src/oidc/client-registration.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import {
  API_SCOPE, argumentValue, BENCH_PASSWORD, BENCH_UPSTREAMS, benchUserEmail, ES256_API, RBAC_API, RBAC_ROLE, REDIRECT_URI, RS256_API, SEED_USER_EMAIL, WEB_SCOPES,
  type ClientCredentials,
} from './bench-fixtures.ts';
import { serveWithWorkers } from './keyline-workers.ts';
import { announce, stopWhenTold } from './server-lifecycle.ts';

const args = process.argv.slice(2);
const dataDirectory = argumentValue(args, '--data-dir');
if (!dataDirectory) throw new Error('--data-dir is required');
const upstreamIssuer = argumentValue(args, '--upstream-issuer');
if (!upstreamIssuer) throw new Error('--upstream-issuer is required (the URL upstream-server.ts announces)');
const userCount = Number(argumentValue(args, '--users') ?? 1000);
const logLevel = argumentValue(args, '--log-level') ?? 'info';
const workers = Number(argumentValue(args, '--workers') ?? 1);

async function addClient(context: RegistrationContext, store: Store, registration: ClientRegistration): Promise<ClientCredentials> {
  const registered = await registerClient(context, registration);
  const now = new Date();
  await store.clients.create({ clientId: registered.clientId, metadata: registered.metadata, createdAt: now, updatedAt: now });
  return { clientId: registered.clientId, clientSecret: registered.clientSecret! };
}

/** Keyline registers at the upstream the way an operator would at Google or Okta, here by RFC 7591 registration: its callback for `upstreamId`. */
async function registerAtUpstream(upstreamId: string): Promise<ClientCredentials> {
  const response = await fetch(new URL('/reg', upstreamIssuer), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [upstreamCallbackUrl(url, upstreamId)], grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', scope: 'openid email profile',
    }),
  });
  const body = await response.json() as { client_id?: string; client_secret?: string };
  if (response.status !== 201 || !body.client_id || !body.client_secret) throw new Error(`registration at the upstream answered ${response.status}: ${JSON.stringify(body)}`);
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** Users straight into the store: one real argon2id hash (Keyline's own parameters), shared by all. */
async function seedUsers(store: Store): Promise<void> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const now = new Date();
  const emails = [SEED_USER_EMAIL, ...Array.from({ length: userCount }, (_, index) => benchUserEmail(index))];
  for (const email of emails) {
    await store.accounts.create({
      id: randomUUID(), email, emailVerified: true, name: email.split('@')[0]!, profile: {}, passwordHash, disabled: false, createdAt: now, updatedAt: now,
    });
  }
}

const server = createServer();
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}`;

const config = parseConfig({
  issuer: url,
  port,
  host: '127.0.0.1',
  store: join(dataDirectory, 'keyline.sqlite'),
  logLevel,
  // The upstream listens on 127.0.0.1: the one guarded outbound fetch refuses loopback otherwise.
  outbound: { allowPrivateNetworks: true },
  secrets: { keys: ['bench-secrets-key-0123456789abcdefghijklmnop'] },
  resources: {
    [RS256_API]: { signingAlg: 'RS256', scopes: [API_SCOPE] },
    [ES256_API]: { signingAlg: 'ES256', scopes: [API_SCOPE] },
    [RBAC_API]: { signingAlg: 'RS256', scopes: [API_SCOPE], rbac: true },
  },
});
// Production logs to stdout; here stdout carries the announcement, so the same async pino stream goes to a file.
const logger = createLogger(config.logLevel, pino.destination({ dest: join(dataDirectory, 'keyline.log'), sync: false, mkdir: true }));
const store = await openStore(config);
const secretCipher = openSecretCipher(config, logger);
const keyline = await createApp({ config, store, logger, secretCipher });
server.on('request', keyline.requestListener);

const common = { postLogoutRedirectUris: [], isPublic: false, pkceOptional: false };
const machine = await addClient(keyline, store, {
  ...common, name: 'Bench machine', redirectUris: [], grantTypes: ['client_credentials'], scopes: API_SCOPE, resources: [RS256_API, ES256_API, RBAC_API],
});
// The machine's role on the RBAC API, straight into the store like the users.
const roleId = `rol_${randomUUID()}`;
await store.roles.create({
  id: roleId, name: RBAC_ROLE, resource: RBAC_API, permissions: [API_SCOPE], description: null, createdAt: new Date(), updatedAt: new Date(),
});
await store.roles.grant(roleId, { kind: 'client', id: machine.clientId });
// The upstreams as `keyline upstreams add` makes them (checked, audited, the secret sealed), then offered by the web client.
const administration: UpstreamAdministration = {
  store, sealer: secretCipher, audited: (event, change) => auditedChange(keyline.securityEvents, { ...event, actor: 'cli:bench' }, change),
};
for (const { id, name } of BENCH_UPSTREAMS) {
  const registered = await registerAtUpstream(id);
  await createUpstream(administration, {
    id, name, type: 'oidc', issuer: upstreamIssuer, clientId: registered.clientId, clientSecret: registered.clientSecret, scopes: ['openid', 'email', 'profile'],
  });
}
const web = await addClient({ ...keyline, upstreamExists: async (id) => (await store.upstreams.find(id)) !== undefined }, store, {
  ...common, name: 'Bench web app', redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token'], scopes: WEB_SCOPES, resources: [],
  upstreams: BENCH_UPSTREAMS.map((upstream) => upstream.id),
});
await seedUsers(store);

if (workers > 1) {
  // The seeding app steps aside: the port and the store are the workers' now.
  await keyline.close();
  await store.close();
  logger.flush();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const running = await serveWithWorkers(config, workers, dataDirectory, join(dataDirectory, 'keyline.log'));
  stopWhenTold(server, () => running.stop());
} else {
  stopWhenTold(server, async () => {
    await keyline.close();
    await store.close();
    logger.flush();
  });
}
announce({
  kind: 'keyline', url, pid: process.pid, machine, web: { ...web, redirectUri: REDIRECT_URI },
  users: { count: userCount, password: BENCH_PASSWORD },
  upstreams: { issuer: upstreamIssuer, ids: BENCH_UPSTREAMS.map((upstream) => upstream.id) },
});

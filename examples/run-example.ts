// `npm run example [-- --port N]`: the "Login with Keyline" web app and the example API against the
// Keyline started with `npm start`. It registers (or updates) its own client and the API with the
// admin CLI, as you would, then serves http://localhost:8080 (or port N). Add a user first:
//   printf '%s' 'a long passphrase' | npx keyline users add you@example.com
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESOURCES } from '../src/oidc/keyline-client-metadata.ts';
import { startResourceServer } from './resource-server.ts';
import { startWebApp } from './web-app.ts';

const USAGE = `npm run example [-- --port N]

Starts the "Login with Keyline" example web app on http://localhost:N (default 8080; EXAMPLE_PORT=N
does the same) and the example API beside it, against the Keyline at KEYLINE_ISSUER (default
http://localhost:$PORT, PORT defaulting to 3000). It registers the client "${'Login with Keyline example'}"
with redirect URIs on that port (updating it when it exists, with a fresh secret) and the API
https://api.example.test, so Keyline's start page links to it.`;

/** The client's name: Keyline's start page finds the example by it (src/pages/example-app-address.ts). */
const NAME = 'Login with Keyline example';
const API = { audience: 'https://api.example.test', scope: 'read' };
const CLI = fileURLToPath(new URL('../bin/keyline.js', import.meta.url));

function portFrom(argv: string[]): number {
  let values: { port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`example: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const given = values.port ?? process.env.EXAMPLE_PORT ?? '8080';
  const port = Number(given);
  if (!/^\d+$/.test(given) || port < 1 || port > 65535) {
    console.error(`example: --port must be a port number from 1 to 65535, not "${given}"\n\n${USAGE}`);
    process.exit(2);
  }
  return port;
}

const PORT = portFrom(process.argv.slice(2));
const APP_URL = `http://localhost:${PORT}`;
const ISSUER = process.env.KEYLINE_ISSUER ?? `http://localhost:${process.env.PORT ?? 3000}`;

function keyline(...args: string[]): unknown {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, KEYLINE_ISSUER: ISSUER } });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  return JSON.parse(result.stdout || 'null');
}

/** Keyline may still be starting (the README's one-block quick start starts both at once): wait up to 20 s. */
async function waitForKeyline(): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      if ((await fetch(`${ISSUER}/.well-known/openid-configuration`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.error(`example: Keyline does not answer at ${ISSUER}; start it first with \`npm start\` in another terminal`);
  process.exit(1);
}

await waitForKeyline();

const apis = keyline('resources', 'list', '--json') as Array<{ indicator: string }>;
if (!apis.some((api) => api.indicator === API.audience)) {
  keyline('resources', 'add', API.audience, '--name', 'Example API', '--scopes', API.scope);
}

// Redirect URIs follow the port: one client, updated to wherever the example runs now.
const registration = [
  '--redirect-uri', `${APP_URL}/callback`, '--post-logout-redirect-uri', `${APP_URL}/signed-out`, '--client-uri', `${APP_URL}/`,
  '--resource', API.audience, '--scopes', `openid profile email ${API.scope}`,
];
type Listed = { client_id: string; client_name?: string; redirect_uris?: string[]; [RESOURCES]?: string[] };

/**
 * A client this script registered: the name alone would adopt anyone's (an operator's own app of
 * that name, or one registered dynamically, whose owner keeps its registration access token) and
 * move its redirect URIs and rotate its secret. Only an administrator can give a client a resource,
 * and the example's redirect URIs are its loopback /callback.
 */
function isExampleClient(client: Listed): boolean {
  const redirects = client.redirect_uris ?? [];
  return client.client_name === NAME && (client[RESOURCES] ?? []).includes(API.audience)
    && redirects.length > 0 && redirects.every((uri) => /^http:\/\/localhost:\d+\/callback$/.test(uri));
}

const existing = (keyline('clients', 'list', '--json') as Listed[]).find(isExampleClient);
let client: Record<string, unknown>;
if (existing) {
  keyline('clients', 'update', existing.client_id, ...registration);
  // Secrets are shown only once, so a client from an earlier run gets a fresh one.
  client = keyline('clients', 'rotate-secret', existing.client_id) as Record<string, unknown>;
} else {
  client = keyline('clients', 'add', '--name', NAME, ...registration) as Record<string, unknown>;
}
const clientId = String(client.client_id);

const api = await startResourceServer(ISSUER, API.audience);
const app = await startWebApp({
  issuer: ISSUER, clientId, clientSecret: String(client.client_secret), port: PORT, baseUrl: APP_URL,
  api: { url: api.url, audience: API.audience, scope: API.scope },
});
console.log(`example: open ${APP_URL} and choose "Login with Keyline" (client ${clientId}; the example API on ${api.url}; stop with Ctrl+C)`);

// Stopped: the start page stops linking to it (it links to a client whose home page is set).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.server.close();
    api.server.close();
    keyline('clients', 'update', clientId, '--client-uri', '');
    process.exit(0);
  });
}

// `npm run example`: the "Login with Keyline" web app against the Keyline started with `npm start`.
// It registers (or reuses) its own client with the admin CLI, as you would, then serves
// http://localhost:8080. Add a user first: printf '%s' 'a long passphrase' | npx keyline users add you@example.com
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWebApp } from './web-app.ts';

const PORT = Number(process.env.EXAMPLE_PORT ?? 8080);
const APP_URL = `http://localhost:${PORT}`;
const ISSUER = process.env.KEYLINE_ISSUER ?? `http://localhost:${process.env.PORT ?? 3000}`;
const NAME = 'Login with Keyline example';
const CLI = fileURLToPath(new URL('../bin/keyline.js', import.meta.url));

function keyline(...args: string[]): Record<string, unknown> {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, KEYLINE_ISSUER: ISSUER } });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  return JSON.parse(result.stdout) as Record<string, unknown>;
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

const existing = (keyline('clients', 'list', '--json') as unknown as Array<{ client_id: string; client_name?: string; redirect_uris?: string[] }>)
  .find((client) => client.client_name === NAME && client.redirect_uris?.includes(`${APP_URL}/callback`));
// Secrets are shown only once, so a client from an earlier run gets a fresh one.
const client = existing
  ? keyline('clients', 'rotate-secret', existing.client_id)
  : keyline('clients', 'add', '--name', NAME, '--redirect-uri', `${APP_URL}/callback`,
    '--post-logout-redirect-uri', `${APP_URL}/`, '--client-uri', `${APP_URL}/`);

await startWebApp({ issuer: ISSUER, clientId: String(client.client_id), clientSecret: String(client.client_secret), port: PORT, baseUrl: APP_URL });
console.log(`example: open ${APP_URL} and choose "Login with Keyline" (client ${String(client.client_id)}; stop with Ctrl+C)`);

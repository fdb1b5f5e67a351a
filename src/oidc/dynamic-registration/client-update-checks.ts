import type { Next } from 'koa';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { put as clientUpdateSteps } from 'oidc-provider/lib/actions/registration.js';
import { clientSecretMatches } from '../client-secrets.ts';

/**
 * RFC 7592 §2.2 asks a client to PUT everything it was given, minus four fields that only the
 * server issues. oidc-provider refuses those four outright, so a client library that sends back
 * exactly what GET returned is refused; and it compares a presented `client_secret` with the
 * stored value, which at Keyline is a hash, so the real secret is refused and the hash accepted.
 * Keyline swaps those two steps of the PUT for its own: a server-issued field that says what the
 * server would say is dropped (anything else is still refused), and a secret is checked against
 * the hash in constant time, then dropped (the client keeps its secret). Like the introspection
 * swap, the steps are a module-level array oidc-provider reads when a Provider is built.
 */
const SERVER_ISSUED = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const;

function whatTheServerSays(ctx: KoaContextWithOIDC, field: typeof SERVER_ISSUED[number]): unknown {
  const client = ctx.oidc.client!;
  switch (field) {
    case 'registration_access_token': return ctx.oidc.getAccessToken();
    case 'registration_client_uri': return ctx.oidc.urlFor('client', { clientId: client.clientId });
    default: return client.metadata()[field];
  }
}

async function dropEchoedServerFields(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  const body = ctx.oidc.body as Record<string, unknown>;
  for (const field of SERVER_ISSUED) {
    if (body[field] === undefined) continue;
    if (body[field] !== whatTheServerSays(ctx, field)) throw new errors.InvalidRequest(`request MUST NOT include the ${field} field`);
    delete body[field];
  }
  await next();
}

async function checkClientIdAndSecret(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  const body = ctx.oidc.body as Record<string, unknown>;
  const client = ctx.oidc.client!;
  if (body.client_id !== client.clientId) throw new errors.InvalidRequest('provided client_id does not match the authenticated client\'s one');
  if ('client_secret' in body) {
    const presented = typeof body.client_secret === 'string' ? body.client_secret : '';
    if (!clientSecretMatches(client.clientSecret, presented)) {
      throw new errors.InvalidRequest('provided client_secret does not match the authenticated client\'s one');
    }
    delete body.client_secret;
  }
  await next();
}

const REPLACED: Record<string, (ctx: KoaContextWithOIDC, next: Next) => Promise<void>> = {
  forbiddenFields: dropEchoedServerFields,
  equalChecks: checkClientIdAndSecret,
};

let patched = false;

export function checkClientUpdatesAgainstHashedSecrets(): void {
  if (patched) return;
  for (const [name, replacement] of Object.entries(REPLACED)) {
    const index = clientUpdateSteps.findIndex((step) => step.name === name);
    if (index === -1) throw new Error(`oidc-provider's client update endpoint no longer has the step ${name} that Keyline replaces; check the upgrade`);
    clientUpdateSteps[index] = replacement as unknown as typeof clientUpdateSteps[number];
  }
  patched = true;
}

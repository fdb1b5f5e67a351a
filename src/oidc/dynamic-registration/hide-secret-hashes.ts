import type { Context, Next } from 'koa';
import { isHashedClientSecret } from '../client-secrets.ts';

/**
 * RFC 7592 reads and updates answer with the client's stored metadata, whose secret Keyline keeps
 * only as a hash: the hash is left out of the answer (a client keeps the secret it was given).
 */
export async function hideSecretHashes(ctx: Context & { oidc?: { route?: string } }, next: Next): Promise<void> {
  await next();
  const route = ctx.oidc?.route;
  if (route !== 'client' && route !== 'client_update') return;
  const body = ctx.body as { client_secret?: unknown } | undefined;
  if (typeof body?.client_secret === 'string' && isHashedClientSecret(body.client_secret)) delete body.client_secret;
}

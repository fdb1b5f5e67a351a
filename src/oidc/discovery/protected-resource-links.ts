import type { Context, Next } from 'koa';
import type { ResourceRegistry } from '../resource-registry.ts';

/**
 * Discovery (OpenID and RFC 8414 alike) names the APIs that publish RFC 9728 metadata:
 * - `protected_resources`: their resource identifiers, as RFC 9728 §4 defines it for an
 *   authorization server's metadata;
 * - `keyline_protected_resource_metadata`: resource identifier → its metadata URL. No standard
 *   field carries that URL (a client normally derives it from the identifier, RFC 9728 §3.1), and
 *   it may live elsewhere; the prefix keeps the name clear of any a later standard takes.
 * Only resources registered with a metadata URL are listed (none by default), so an API is never
 * advertised by accident. Resources added with the CLI appear within a quarter second.
 */
export function linkProtectedResources(resources: ResourceRegistry) {
  return async (ctx: Context & { oidc?: { route?: string } }, next: Next): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'discovery' || ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) return;
    const links = await resources.metadataLinks();
    if (links.length === 0) return;
    Object.assign(ctx.body, {
      protected_resources: links.map((link) => link.resource),
      keyline_protected_resource_metadata: Object.fromEntries(links.map((link) => [link.resource, link.metadataUri])),
    });
  };
}

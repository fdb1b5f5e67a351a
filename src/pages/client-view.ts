import { LOOPBACK_HOSTS } from '../oidc/redirect-uri-rule.ts';
import { cspCanName } from '../http/content-security-policy.ts';

/** What the pages show of a client: only what an administrator registered for it. */
export interface ClientView {
  id: string;
  name: string;
  logoUri?: string;
  homeUri?: string;
  policyUri?: string;
  tosUri?: string;
}

interface ClientLike {
  clientId: string;
  clientName?: string;
  logoUri?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
}

export function clientView(client: ClientLike | undefined): ClientView | undefined {
  if (!client) return undefined;
  return {
    id: client.clientId,
    name: client.clientName ?? client.clientId,
    logoUri: shownLogo(client.logoUri),
    homeUri: client.clientUri,
    policyUri: client.policyUri,
    tosUri: client.tosUri,
  };
}

/**
 * A logo is the biggest thing on the consent page, so it is shown only over https (or from this
 * machine, as RFC 8252 allows redirect URIs): fetched over plain http, anyone on the network path
 * could swap it for another brand's. Anything else (http elsewhere, data:, javascript:, a host the
 * CSP cannot name as it is) is not shown.
 */
function shownLogo(uri: string | undefined): string | undefined {
  if (!uri || !URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  if (!cspCanName(url.origin)) return undefined;
  if (url.protocol === 'https:') return uri;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? uri : undefined;
}

/**
 * The host a web address leads to, as a browser's address bar shows it (an internationalised name
 * in its xn-- form, which is what tells look-alikes apart); undefined for an address without one
 * (a native app's own scheme).
 */
export function hostOf(address: unknown): string | undefined {
  if (typeof address !== 'string' || !URL.canParse(address)) return undefined;
  const { host, protocol } = new URL(address);
  return host && (protocol === 'https:' || protocol === 'http:') ? host : undefined;
}

/** The https origin of a client's logo, which the page's CSP must allow. */
export function logoOrigins(client: ClientView | undefined): string[] {
  return client?.logoUri && URL.canParse(client.logoUri) ? [new URL(client.logoUri).origin] : [];
}

import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isSpecialUseIP } from 'oidc-provider/lib/helpers/fetch_request.js';
import { Agent, fetch as undiciFetch } from 'undici';

export type OutboundFetch = (url: string | URL, options?: RequestInit) => Promise<Response>;

class PrivateAddressRefused extends Error {
  constructor(host: string) {
    super(`refusing to call ${host}: it is a loopback, private or otherwise special-use address (outbound.allowPrivateNetworks is off)`);
    this.name = 'PrivateAddressRefused';
  }
}

/** Resolves like the OS does, but fails when any address the name has is special-use. */
function publicOnlyLookup(hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (addresses.some(({ address }) => isSpecialUseIP(address))) return callback(new PrivateAddressRefused(hostname), []);
    const wantsAll = (options as { all?: boolean }).all === true;
    return wantsAll ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * Every call Keyline makes to a client (a jwks_uri, a back-channel logout URI, a signals receiver)
 * goes through this fetch. By default it refuses loopback, private and other special-use
 * addresses, checked on the address actually connected to (so a name that resolves there, or
 * re-resolves there later, is refused too): a client cannot make Keyline call into the network
 * it runs in (SSRF). `outbound.allowPrivateNetworks` lifts that for development and tests.
 */
export function outboundFetch(allowPrivateNetworks: boolean, timeoutMs = 5000): OutboundFetch {
  const dispatcher = new Agent(allowPrivateNetworks ? {} : { connect: { lookup: publicOnlyLookup } });
  return async (url, options = {}) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivateNetworks && isIP(host) && isSpecialUseIP(host)) throw new PrivateAddressRefused(host);
    const { dispatcher: _libraryDispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
    return undiciFetch(url, {
      ...rest,
      signal: rest.signal ?? AbortSignal.timeout(timeoutMs),
      dispatcher,
    } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  };
}

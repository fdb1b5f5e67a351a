import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { applySSRFProtection } from 'oidc-provider/lib/helpers/fetch_request.js';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { isSpecialUseAddress } from './special-use-address.ts';

export type OutboundFetch = (url: string | URL, options?: RequestInit) => Promise<Response>;

export interface OutboundRules {
  /** `outbound.allowPrivateNetworks`: the deliberate development and test allowance for loopback and private addresses. */
  allowPrivateNetworks: boolean;
  /** The whole call, connecting to the last byte of the answer. */
  timeoutMs?: number;
  /** The most an answer's body may hold; a longer one fails the call instead of filling memory. */
  maxBodyBytes?: number;
  /** How host names are resolved (the system resolver; tests give a name an address without DNS). */
  lookup?: LookupFunction;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export class PrivateAddressRefused extends Error {
  constructor(host: string) {
    super(`refusing to call ${host}: it is a loopback, private or otherwise special-use address (outbound.allowPrivateNetworks is off)`);
    this.name = 'PrivateAddressRefused';
  }
}

export class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** Resolves with the given resolver, but fails when any address the name has is special-use. */
function publicOnlyLookup(resolve: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      const all = (Array.isArray(addresses) ? addresses : []) as LookupAddress[];
      if (error) return callback(error, '', 0);
      if (all.length === 0 || all.some(({ address }) => isSpecialUseAddress(address))) return callback(new PrivateAddressRefused(hostname), '', 0);
      if ((options as { all?: boolean }).all === true) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, all);
      return callback(null, all[0]!.address, all[0]!.family);
    });
  };
}

/**
 * Opens connections only to addresses that are not special-use: an IP literal is judged before
 * connecting (a resolver never sees it), a name by every address it resolves to, and the socket
 * once more by the address it actually connected to, whatever led there.
 */
function publicOnlyConnector(resolve: LookupFunction, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ lookup: publicOnlyLookup(resolve), timeout: timeoutMs });
  return (options, callback) => {
    if (isIP(options.hostname) && isSpecialUseAddress(options.hostname)) {
      callback(new PrivateAddressRefused(options.hostname), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no connection'), null);
      const remote = socket.remoteAddress;
      if (remote === undefined || isSpecialUseAddress(remote)) {
        socket.destroy();
        return callback(new PrivateAddressRefused(remote ?? options.hostname), null);
      }
      return callback(null, socket);
    });
  };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The same answer, whose body fails once more than `limit` bytes have come (or are announced). */
async function limitedBody(response: Response, limit: number): Promise<Response> {
  if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body.cancel();
    throw new ResponseTooLarge(limit);
  }
  let received = 0;
  const counted = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > limit) controller.error(new ResponseTooLarge(limit));
      else controller.enqueue(chunk);
    },
  }));
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * THE way Keyline calls a URL a client or receiver gave it (a jwks_uri, a back-channel logout URI,
 * a signals receiver, a sector_identifier_uri): by default never into the network Keyline runs in
 * (SSRF), judged on every connection by the address connected to, with IPv4 in IPv6 dress unwrapped;
 * redirects are never followed (a 3xx is the answer, so a public URL cannot forward the call
 * inside); the whole call has a time limit and the answer a size limit. oidc-provider's own
 * post-connect check stays on our connections too. `allowPrivateNetworks` lifts only the address
 * rule, for development and tests.
 */
export function outboundFetch(rules: OutboundRules): OutboundFetch {
  const timeoutMs = rules.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = rules.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const limits = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  const dispatcher = rules.allowPrivateNetworks
    ? new Agent({ ...limits, connect: { timeout: timeoutMs } })
    : applySSRFProtection(new Agent({ ...limits, connect: publicOnlyConnector(rules.lookup ?? (systemLookup as LookupFunction), timeoutMs) }));
  return async (url, options = {}) => {
    const { dispatcher: _theirs, redirect: _redirect, signal, ...rest } = options as RequestInit & { dispatcher?: unknown };
    const response = await undiciFetch(url, {
      ...rest,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      dispatcher,
    } as Parameters<typeof undiciFetch>[1]) as unknown as Response;
    return limitedBody(response, maxBodyBytes);
  };
}

import { isIP } from 'node:net';
import type { Context, Next } from 'koa';

/**
 * An address as a proxy or the socket gives it, or undefined when it is not an IP address:
 * brackets and a port are dropped (`[2001:db8::1]:443`, `192.0.2.1:8080`), and so is an IPv6 zone
 * (it names an interface, not a client). IPv6 is written in its one canonical form, so one client
 * is one key whatever the proxy's spelling, and an IPv4-mapped IPv6 address in any spelling
 * (`::ffff:192.0.2.1`, `::ffff:c000:201`, `0:0:0:0:0:ffff:192.0.2.1`) is the IPv4 address it
 * carries: as IPv6, every IPv4 client would share the one /64 they all sit in.
 */
export function normalisedIp(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let candidate = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(candidate);
  if (bracketed) candidate = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(candidate)) candidate = candidate.slice(0, candidate.lastIndexOf(':'));
  const version = isIP(candidate);
  if (version === 4) return candidate;
  if (version !== 6) return undefined;
  const canonical = new URL(`http://[${candidate.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([\da-f]{1,4}):([\da-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * The client's address, decided once per request: with `proxy: true`, the X-Forwarded-For entry
 * the outermost trusted proxy appended (Koa's `maxIpsCount`, set to `trustedProxyHops`, keeps only
 * the entries the trusted proxies wrote; everything to their left the client chose), otherwise the
 * socket's peer. What is not an IP address is never taken: the socket's peer stands in.
 */
export function clientAddress(ctx: Pick<Context, 'request' | 'req'>): string {
  return normalisedIp(ctx.request.ips[0]) ?? normalisedIp(ctx.req.socket.remoteAddress) ?? 'unknown';
}

/** First in the chain: every later `ctx.ip` (throttles, audit trail, session list) reads this one address. */
export async function pinClientAddress(ctx: Context, next: Next): Promise<void> {
  ctx.request.ip = clientAddress(ctx);
  await next();
}

function ipv6Groups(address: string): number[] {
  let text = address;
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * What a per-address limit counts: an IPv4 address, or an IPv6 client's /64. One IPv6 subscriber
 * is usually given a whole /64 and can take a fresh address from it for every request.
 */
export function throttleKeyOf(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const prefix = ipv6Groups(ip).slice(0, 4).map((group) => group.toString(16)).join(':');
  return `${prefix}::/64`;
}

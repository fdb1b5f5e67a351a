import { isIP } from 'node:net';
import { isSpecialUseIP } from 'oidc-provider/lib/helpers/fetch_request.js';

/** Ranges oidc-provider's list leaves out but no client's server lives in: multicast, site-local. */
const MULTICAST_V4 = { prefix: 0xe0000000, mask: 0xf0000000 };

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0) >>> 0;
}

function ipv4FromNumber(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** The eight 16-bit groups of an IPv6 address, its dotted tail (`::ffff:1.2.3.4`) folded in. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const value = ipv4Number(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16));
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach an IPv4 host: IPv4-mapped
 * (`::ffff:a.b.c.d`, which the URL parser serialises as `::ffff:7f00:1`), IPv4-translated
 * (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002:AABB:CCDD::/48`). Judged as IPv4, 127.0.0.1 is loopback in every dress. Not the local-use
 * NAT64 prefix `64:ff9b:1::/48`: where its IPv4 sits depends on the prefix length the operator's
 * translator uses (RFC 6052), so no one place can be read; it stays special-use as a whole.
 */
export function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  const v4 = (high: number, low: number) => ipv4FromNumber(((high << 16) | low) >>> 0);
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  if (zeroUpTo(5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!);
  if (zeroUpTo(4) && groups[4] === 0xffff && groups[5] === 0) return v4(groups[6]!, groups[7]!);
  if (zeroUpTo(6) && (groups[6] !== 0 || groups[7]! > 1)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return undefined;
}

/**
 * Whether an address is one a client's URL must never make Keyline call: loopback, private,
 * link-local, unique-local, multicast, unspecified, documentation and the other special-use
 * ranges (oidc-provider's list, plus multicast and site-local), after unwrapping any IPv4 an IPv6
 * address carries. Anything that is not an IP address at all is refused too.
 */
export function isSpecialUseAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return isSpecialUseIP(bare) || ((ipv4Number(bare) & MULTICAST_V4.mask) >>> 0) === MULTICAST_V4.prefix;
  if (family !== 6) return true;
  const carried = embeddedIpv4(bare);
  if (carried !== undefined) return isSpecialUseAddress(carried);
  const first = ipv6Groups(bare)[0]!;
  if (first >= 0xff00 || (first & 0xffc0) === 0xfec0) return true;
  return isSpecialUseIP(bare);
}

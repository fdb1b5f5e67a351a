/**
 * Issue 19, item 3, attacked again. The guard unwraps IPv4 in IPv6 dress and judges the IPv4,
 * which is right where the place of the IPv4 is fixed: the well-known NAT64 prefix 64:ff9b::/96
 * carries it in the last 32 bits. The local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) does not:
 * an operator's translator takes a /48, /56, /64 or /96 out of it, and RFC 6052 puts the IPv4 in
 * a different place for each. Reading the last 32 bits let an address whose tail is public
 * (8.8.8.8) through while the translator in the operator's network reads 10.0.0.1 or 127.0.0.1
 * out of its middle, and it overrode oidc-provider's own list, which refuses the whole /48.
 *
 * Judged without connecting: these addresses route off this machine, and a test never sends there.
 * The connector refuses an IP literal with exactly this judgement before opening anything.
 */
import { isSpecialUseAddress } from '../../src/outbound/special-use-address.ts';

test.each([
  ['64:ff9b:1:a00:0:100:808:808', '10.0.0.1 to a translator on a /48 (RFC 6052 §2.2), 8.8.8.8 in its last 32 bits'],
  ['64:ff9b:1:0:7f:0:100:808', '127.0.0.1 to a translator on 64:ff9b:1::/64, 1.0.8.8 in its last 32 bits'],
  ['64:ff9b:1::808:808', 'a public tail in the local-use prefix'],
])('%s (%s) is refused', (address) => {
  expect(isSpecialUseAddress(address)).toBe(true);
});

test('the well-known NAT64 prefix still carries a public IPv4 (DNS64 on an IPv6-only host), and a private one is still refused', () => {
  expect(isSpecialUseAddress('64:ff9b::808:808')).toBe(false);
  expect(isSpecialUseAddress('64:ff9b::a00:1')).toBe(true);
  expect(isSpecialUseAddress('64:ff9b::7f00:1')).toBe(true);
});

import { normalisedIp, throttleKeyOf } from '../../src/http/client-address.ts';

test.each([
  ['203.0.113.9', '203.0.113.9'],
  [' 203.0.113.9 ', '203.0.113.9'],
  ['203.0.113.9:8443', '203.0.113.9'],
  ['[2001:DB8::1]:443', '2001:db8::1'],
  ['::ffff:203.0.113.9', '203.0.113.9'],
  ['2001:db8::1', '2001:db8::1'],
  ['::ffff:cb00:7109', '203.0.113.9'],
  ['0:0:0:0:0:FFFF:203.0.113.9', '203.0.113.9'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['fe80::1%eth0', 'fe80::1'],
  ['<script>', undefined],
  ['unknown', undefined],
  ['203.0.113.999', undefined],
  ['', undefined],
  [undefined, undefined],
])('normalisedIp(%p) is %p', (input, expected) => {
  expect(normalisedIp(input)).toBe(expected);
});

test.each([
  ['203.0.113.9', '203.0.113.9'],
  ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
  ['2001:db8:1:2:ffff:eeee:dddd:cccc', '2001:db8:1:2::/64'],
  ['2001:db8::1', '2001:db8:0:0::/64'],
  ['::1', '0:0:0:0::/64'],
  ['64:ff9b::203.0.113.9', '64:ff9b:0:0::/64'],
  ['fe80:0:0:0:1::', 'fe80:0:0:0::/64'],
])('throttleKeyOf(%p) is %p', (ip, key) => {
  expect(throttleKeyOf(ip)).toBe(key);
});

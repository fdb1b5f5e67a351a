import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundFetch } from '../../src/outbound/outbound-fetch.ts';
import { embeddedIpv4, isSpecialUseAddress } from '../../src/outbound/special-use-address.ts';

const server = createServer((_request, response) => response.end('reached'));
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe('calls to clients refuse the network Keyline runs in (SSRF)', () => {
  test.each(['127.0.0.1', 'localhost', '[::1]'])('refuses %s by default, whether named or literal', async (host) => {
    await expect(outboundFetch({ allowPrivateNetworks: false })(`http://${host}:${port}/`)).rejects.toThrow();
  });

  test('reaches loopback when outbound.allowPrivateNetworks is on', async () => {
    const response = await outboundFetch({ allowPrivateNetworks: true })(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('reached');
  });
});

describe('which addresses count as inside the network', () => {
  test.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255',
    '::', '::1', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::ffff:0:7f00:1', '::127.0.0.1', '::7f00:1',
    '64:ff9b::7f00:1', '64:ff9b::10.0.0.1', '64:ff9b:1::a00:1', '2002:7f00:1::', '2002:a00:1::1',
    'localhost', 'not an address',
  ])('%s is refused', (address) => {
    expect(isSpecialUseAddress(address)).toBe(true);
  });

  test.each(['8.8.8.8', '1.1.1.1', '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::808:808', '2002:808:808::1', '2606:4700:4700::1111'])('%s is public', (address) => {
    expect(isSpecialUseAddress(address)).toBe(false);
  });

  test('IPv4 inside IPv6 is unwrapped to the IPv4 it reaches', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('64:ff9b::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2002:7f00:1::')).toBe('127.0.0.1');
    expect(embeddedIpv4('2606:4700::1')).toBeUndefined();
  });
});

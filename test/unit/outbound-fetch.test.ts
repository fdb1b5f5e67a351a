import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundFetch } from '../../src/oidc/outbound-fetch.ts';

const server = createServer((_request, response) => response.end('reached'));
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe('calls to clients refuse the network Keyline runs in (SSRF)', () => {
  test.each(['127.0.0.1', 'localhost', '[::1]'])('refuses %s by default, whether named or literal', async (host) => {
    await expect(outboundFetch(false)(`http://${host}:${port}/`)).rejects.toThrow();
  });

  test('reaches loopback when outbound.allowPrivateNetworks is on', async () => {
    const response = await outboundFetch(true)(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('reached');
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InternalService {
  /** http://127.0.0.1:<port>: an address inside the network Keyline runs in. */
  url: string;
  /** How many requests reached it. */
  hits(): number;
  close(): Promise<void>;
}

/** A service inside the network (on 127.0.0.1) that answers `{}` to anything and counts who reached it. */
export async function startInternalService(): Promise<InternalService> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits += 1;
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

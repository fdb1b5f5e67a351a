import type { Server } from 'node:http';

/**
 * Stops taking connections and lets the requests already in progress finish: idle keep-alive
 * connections are closed at once and again as each finishes its response. After `graceMs` the
 * rest are cut, so a stuck client cannot hold a shutdown forever.
 */
export function drainServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

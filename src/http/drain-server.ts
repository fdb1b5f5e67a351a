import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long after a drain begins a connection may stay idle before it is closed. A connection is
 * "idle" to node as long as no byte of its next request has been parsed, which includes one whose
 * request has arrived and waits to be read, and a keep-alive connection whose client is sending
 * its next request right now: closing such a connection resets that request (ECONNRESET). Under
 * load every connection carries a request within this time and is closed cleanly after answering
 * it; only a connection a client keeps without using is closed when the time is up.
 */
const IDLE_GRACE_MS = 1000;

export interface Drainable {
  /**
   * Stops taking connections and answers every request on the connections already taken, each
   * answer with `Connection: close` so that no client sends another on it. After `graceMs` the
   * rest are cut, so a stuck client cannot hold a shutdown forever.
   */
  drain(graceMs: number): Promise<void>;
}

/** Call when the server is created, before it takes connections: it keeps track of the answers in progress. */
export function drainable(server: Server): Drainable {
  const inProgress = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_request, response: ServerResponse) => {
    if (draining) response.shouldKeepAlive = false;
    inProgress.add(response);
    response.once('close', () => inProgress.delete(response));
  });

  return {
    drain(graceMs) {
      draining = true;
      for (const response of inProgress) if (!response.headersSent) response.shouldKeepAlive = false;
      return new Promise((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
        let idleSweep: NodeJS.Timeout | undefined;
        const idleGrace = setTimeout(() => {
          server.closeIdleConnections();
          idleSweep = setInterval(() => server.closeIdleConnections(), 50);
        }, IDLE_GRACE_MS);
        const closed = () => {
          clearTimeout(deadline);
          clearTimeout(idleGrace);
          clearInterval(idleSweep);
          resolve();
        };
        // net's close, not http's: http's closes every idle connection at once, the very resets this
        // function exists to avoid. It still waits for every connection to end. Connections the
        // kernel has completed but no process has accepted yet are reset by any close of a listening
        // socket: only a load balancer that stops sending first avoids those (see DESIGN.md).
        NetServer.prototype.close.call(server, closed);
      });
    },
  };
}

import type { Server } from 'node:http';
import type { ServerInfo } from './bench-fixtures.ts';

/** Prints the server's one JSON line; the load generator waits for it. */
export function announce(info: ServerInfo): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

/**
 * Stops on SIGTERM/SIGINT, or when the parent goes away (its end of our stdin closes), so a bench
 * server never outlives the run. Exits normally, which lets `--cpu-prof` write its profile.
 */
export function stopWhenTold(server: Server, cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(1), 5_000);
    forced.unref();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cleanup();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());
  process.stdin.resume();
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RecordingReceiver {
  /** http://127.0.0.1:<port>, the same across stop() and start(). */
  url: string;
  received: Received[];
  /** What it answers from now on (200 by default). */
  answerWith(status: number, body?: string): void;
  /** Goes away: the port refuses connections until start(). */
  stop(): Promise<void>;
  /** Comes back on the same port. */
  start(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * A relying party's back-channel logout endpoint or a shared-signals push receiver, as a test
 * sees it: a real HTTP server on 127.0.0.1 that records every request, answers what it is told,
 * and can go down and come back on the same port.
 */
export async function startRecordingReceiver(): Promise<RecordingReceiver> {
  let status = 200;
  let answerBody = '';
  const received: Received[] = [];
  const makeServer = () => createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(status, { 'content-type': 'application/json' }).end(answerBody);
    });
  });
  let server = makeServer();
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answerWith(next, body = '') {
      status = next;
      answerBody = body;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      server = makeServer();
      await listen(server, port);
    },
  };
}

/** Waits until `check` holds (polling, no fixed sleeps in the assertion), or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

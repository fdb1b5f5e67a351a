import { Agent, request } from 'node:http';

/** How one request ended: its status, or the error code of a connection that failed. */
export interface LoadOutcome {
  /** Sent on a connection of its own (Connection: close), or on a keep-alive connection. */
  connection: 'fresh' | 'keep-alive';
  /** A keep-alive connection that had already carried an answer: the server had accepted it. */
  reused: boolean;
  status?: number;
  /** ECONNREFUSED, ECONNRESET, EPIPE, ... or HANG when no answer came within `hangMs`. */
  error?: string;
}

export interface SteadyLoad {
  /** Every request sent so far, in the order they ended. */
  outcomes: LoadOutcome[];
  /** Stops sending and resolves with every outcome once the requests in flight have ended. */
  stop(): Promise<LoadOutcome[]>;
}

/**
 * Requests back to back from `keepAlive` loops on keep-alive connections and `fresh` loops on a
 * new connection each, until stopped: the traffic a server sees when it is signalled or loses a
 * process. A request with no answer after `hangMs` (far beyond any answer's time) counts as HANG.
 */
export function steadyLoad(url: string, options: { keepAlive: number; fresh: number; path?: string; hangMs?: number }): SteadyLoad {
  const target = new URL(options.path ?? '/healthz', url);
  const hangMs = options.hangMs ?? 15_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.keepAlive });
  const outcomes: LoadOutcome[] = [];
  let running = true;

  const once = (connection: LoadOutcome['connection']) => new Promise<LoadOutcome>((resolve) => {
    let reused = false;
    const sent = request(target, {
      agent: connection === 'fresh' ? false : agent,
      headers: connection === 'fresh' ? { connection: 'close' } : {},
    }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve({ connection, reused, status: answer.statusCode }));
      answer.on('error', (error: NodeJS.ErrnoException) => resolve({ connection, reused, error: error.code ?? error.message }));
    });
    sent.on('socket', () => { reused = sent.reusedSocket; });
    sent.setTimeout(hangMs, () => {
      resolve({ connection, reused, error: 'HANG' });
      sent.destroy();
    });
    sent.on('error', (error: NodeJS.ErrnoException) => resolve({ connection, reused, error: error.code ?? error.message }));
    sent.end();
  });

  const loop = async (connection: LoadOutcome['connection']) => {
    while (running) outcomes.push(await once(connection));
  };
  const loops = [
    ...Array.from({ length: options.keepAlive }, () => loop('keep-alive')),
    ...Array.from({ length: options.fresh }, () => loop('fresh')),
  ];
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return outcomes;
    },
  };
}

/** Counts of each outcome, e.g. { "200": 812, "ECONNREFUSED": 40 }, for a readable expectation. */
export function tally(outcomes: LoadOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.error ?? String(outcome.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Resolves once `condition` holds (say, once the load has sent so many requests), looking every few milliseconds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

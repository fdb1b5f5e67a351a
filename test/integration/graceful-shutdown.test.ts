import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { runMain } from '../support/run-main.ts';
import { startKeylineWorkers } from '../support/keyline-workers.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';
import { steadyLoad, tally, until, type LoadOutcome } from '../support/steady-load.ts';

/** Everything the server sent on this socket until it closed it. */
function answerOf(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk) => { received += chunk; });
  return new Promise((resolve) => socket.on('close', () => resolve(received)));
}

/** Resolves when the readable has carried text matching `pattern` (from now on). */
function seen(readable: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  let text = '';
  return new Promise((resolve) => {
    const look = (chunk: Buffer | string) => {
      text += chunk;
      if (!pattern.test(text)) return;
      readable.off('data', look);
      resolve();
    };
    readable.on('data', look);
  });
}

test('SIGTERM lets a request already in progress finish: its answer arrives, then the process exits 0', async () => {
  const directory = temporaryDirectory();
  try {
    let answer: Promise<string> = Promise.resolve('');
    const result = await runMain({ KEYLINE_STORE: join(directory.path, 'keyline.sqlite'), KEYLINE_CONFIG: '/dev/null' }, async (url, child) => {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      answer = answerOf(socket);
      await once(socket, 'connect');
      const body = 'grant_type=client_credentials';
      // Half a request. "Expect: 100-continue" makes the server say when it has read the headers,
      // so the request is known to be in progress before the signal, not in a listen backlog.
      const continued = seen(socket, /^HTTP\/1\.1 100 Continue/);
      socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n`
        + `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
      await continued;
      const shuttingDown = seen(child.stdout!, /"msg":"shutting down"/);
      child.kill('SIGTERM');
      await shuttingDown;
      // A slow client: the rest of the body comes a second into the shutdown, long after a shutdown
      // that did not wait would have closed the store and exited.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      socket.write(body);
      await answer;
    });
    expect(result.code).toBe(0);
    expect(await answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 40[01] /);
    expect(await answer).toContain('invalid_client');
    expect(result.stdout).toMatch(/"msg":"shutting down"/);
  } finally {
    directory.remove();
  }
});

const KEEP_ALIVE_LOOPS = 6;
const FRESH_LOOPS = 6;


/**
 * What a drain under load may do, and nothing more: a request on a connection that had already
 * carried an answer (the server took it) is answered; a new connection is answered, refused once
 * the listener is closed, or reset when the kernel had completed it but no process had accepted it
 * yet when the listener closed, which can happen to at most one connection per loop (after it,
 * the loop's next attempt is refused). Nothing hangs.
 */
function expectNothingLost(outcomes: LoadOutcome[]): void {
  const taken = outcomes.filter((outcome) => outcome.reused);
  expect(tally(taken)).toEqual({ 200: taken.length });
  const fresh = outcomes.filter((outcome) => !outcome.reused);
  const counts = tally(fresh);
  expect(Object.keys(counts).filter((outcome) => !['200', 'ECONNREFUSED', 'ECONNRESET'].includes(outcome))).toEqual([]);
  expect(counts.ECONNRESET ?? 0).toBeLessThanOrEqual(KEEP_ALIVE_LOOPS + FRESH_LOOPS);
  expect(counts.ECONNREFUSED).toBeGreaterThan(0);
}

test('SIGTERM under steady load: every request on a connection the server took is answered, nothing is reset or hangs', async () => {
  const directory = temporaryDirectory();
  try {
    let outcomes: LoadOutcome[] = [];
    let loadEnded: Promise<void> = Promise.resolve();
    const result = await runMain({ KEYLINE_STORE: join(directory.path, 'keyline.sqlite'), KEYLINE_CONFIG: '/dev/null' }, async (url, child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      loadEnded = (async () => {
        const load = steadyLoad(url, { keepAlive: KEEP_ALIVE_LOOPS, fresh: FRESH_LOOPS, path: '/.well-known/openid-configuration' });
        await until(() => load.outcomes.length >= 500);
        child.kill('SIGTERM');
        await exited;
        outcomes = await load.stop();
      })();
      await exited;
    });
    await loadEnded;
    expect(result.code).toBe(0);
    expectNothingLost(outcomes);
  } finally {
    directory.remove();
  }
});

test('the same with workers: 2, the supervisor signalled', async () => {
  const kl = await startKeylineWorkers({ workers: 2 });
  try {
    const load = steadyLoad(kl.url, { keepAlive: KEEP_ALIVE_LOOPS, fresh: FRESH_LOOPS, path: '/.well-known/openid-configuration' });
    await until(() => load.outcomes.length >= 500);
    expect(await kl.terminate()).toBe(0);
    expectNothingLost(await load.stop());
  } finally {
    await kl.stop();
  }
});

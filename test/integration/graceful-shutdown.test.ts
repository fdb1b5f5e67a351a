import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { runMain } from '../support/run-main.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';

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

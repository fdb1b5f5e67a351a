/**
 * Review of issue 19, item 22: once SIGTERM starts the drain, /readyz must say so. The listener
 * closes at once, but a probe on a connection the server already holds (a load balancer's pooled
 * health-check connection) was still told 200 "ready" by a process that is going away.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { runMain } from '../support/run-main.ts';
import { answerOf, seen } from '../support/socket-answers.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory } from '../support/start-keyline.ts';

test('a readiness probe answered during the drain says 503 draining, not ready', async () => {
  const directory = temporaryDirectory();
  const store = join(directory.path, 'keyline.sqlite');
  try {
    expect((await runCli({ store }, ['migrate'])).code).toBe(0);
    let before = '';
    let during: Promise<string> = Promise.resolve('');
    const result = await runMain({ KEYLINE_STORE: store, KEYLINE_CONFIG: '/dev/null' }, async (url, child) => {
      before = await (await fetch(`${url}/readyz`)).text();
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      during = answerOf(socket);
      await once(socket, 'connect');
      // Half a probe: the connection is the server's, with a request in progress, before the signal.
      socket.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      const shuttingDown = seen(child.stdout!, /"msg":"shutting down"/);
      child.kill('SIGTERM');
      await shuttingDown;
      socket.write('\r\n');
      await during;
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(before)).toMatchObject({ status: 'ready' });
    const answer = await during;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toMatch(/"status":"draining"/);
  } finally {
    directory.remove();
  }
});

/**
 * The example app parsed each request's address with `new URL(req.url, base)` outside any error
 * handling, so one request whose target is not a URL (`GET //[`, which Node's parser lets through)
 * threw in the server's request listener: an uncaught exception that ends the whole process. A bad
 * address is answered 400, and the app keeps serving.
 */
import { connect } from 'node:net';
import { keylineWithExample } from '../support/example-app.ts';

const running = keylineWithExample();

/** Sends one raw HTTP/1.1 request and resolves with the status line of the answer. */
function rawRequest(url: string, target: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk) => { answer += String(chunk); });
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

test('a request target that is not a URL gets a 400, and the app still answers', async () => {
  const { url } = running.example();
  expect(await rawRequest(url, '//[')).toBe('HTTP/1.1 400 Bad Request');
  expect((await fetch(`${url}/`)).status).toBe(200);
});

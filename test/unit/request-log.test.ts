import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';
import { logRequest, SLOW_REQUEST_MS, type RequestLine } from '../../src/http/request-log.ts';

function levelsLogged(level: string, line: Partial<RequestLine>): number[] {
  const written: number[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { written.push((JSON.parse(String(chunk)) as { level: number }).level); done(); } });
  // pino writes to a plain stream synchronously, so the line (if any) is there when logRequest returns.
  logRequest(createLogger(level, sink), { requestId: 'r', method: 'GET', path: '/jwks', status: 200, ms: 1, ...line });
  return written;
}

const INFO = 30;
const DEBUG = 20;

test.each(['/jwks', '/.well-known/openid-configuration', '/token', '/me', '/token/introspection', '/token/revocation'])(
  'a successful %s is logged at debug only',
  (path) => {
    expect(levelsLogged('info', { path, status: 200 })).toEqual([]);
    expect(levelsLogged('debug', { path, status: 200 })).toEqual([DEBUG]);
  },
);

test.each([
  ['a stylesheet', { path: '/assets/keyline.css', status: 200 }],
  ['a revalidated logo', { path: '/assets/brand/logo.png', status: 304 }],
])('%s (a static asset) is logged at debug only', (_what, line) => {
  expect(levelsLogged('info', line)).toEqual([]);
  expect(levelsLogged('debug', line)).toEqual([DEBUG]);
});

test.each([
  ['a missing asset', { path: '/assets/nothing.css', status: 404 }],
  ['a failed machine request', { path: '/token', status: 401, error: 'invalid_client' }],
  ['a 304 of the JWKS that took too long', { path: '/jwks', status: 304, ms: SLOW_REQUEST_MS }],
  ['a page', { path: '/interaction/abc', status: 200 }],
  ['the admin API', { path: '/admin/v1/users', status: 200 }],
  ['a health check', { path: '/healthz', status: 200 }],
  ['a path below a machine endpoint', { path: '/jwks/extra', status: 200 }],
])('%s is logged at info', (_what, line) => {
  expect(levelsLogged('info', line)).toEqual([INFO]);
});

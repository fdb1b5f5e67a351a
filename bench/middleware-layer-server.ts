/**
 * A bare Koa app with the first N of Keyline's outer middleware (app.ts order), answering a small
 * JSON body as UserInfo would: for `middleware-layers.ts`, which measures what each layer costs.
 *
 *   node bench/middleware-layer-server.ts LAYERS LOG_LEVEL LOG_FILE
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import { ContentSecurityPolicy } from '../src/http/content-security-policy.ts';
import { Metrics } from '../src/http/metrics.ts';
import { requestContext } from '../src/http/request-context.ts';
import { securityHeaders } from '../src/http/security-headers.ts';
import { I18n } from '../src/i18n/i18n.ts';
import { requestLocale } from '../src/i18n/request-locale.ts';
import { createLogger } from '../src/logger.ts';
import { pinHostToIssuer } from '../src/oidc/conformance/pin-host-to-issuer.ts';
import { LOCALES_DIRECTORY } from '../src/paths.ts';
import { stopWhenTold } from './server-lifecycle.ts';

const [layers = '0', logLevel = 'info', logFile = '/dev/null'] = process.argv.slice(2);
const logger = createLogger(logLevel, pino.destination({ dest: logFile, sync: false }));
const outer = [
  pinHostToIssuer('http://127.0.0.1'),
  requestContext(logger, requestLocale(new I18n(LOCALES_DIRECTORY, 'en'))),
  new Metrics().middleware(),
  securityHeaders(new ContentSecurityPolicy()),
];

const app = new Koa();
app.silent = true;
for (const middleware of outer.slice(0, Number(layers))) app.use(middleware as Koa.Middleware);
const body = { sub: 'a3f9c2', email: 'user@example.test', email_verified: true, name: 'A User' };
app.use((ctx) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
});
server.keepAliveTimeout = 65_000;
stopWhenTold(server, async () => logger.flush());

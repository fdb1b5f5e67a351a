import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Secrets are removed by configuration: these paths in a log record are censored, so a careless
 * `log.info({ headers })` cannot leak a token, cookie or password. The paths are explicit, not
 * `*.x` wildcards: wildcards made redaction cost ~30 µs on every line (measured in bench/).
 */
const SECRET_FIELDS = [
  'password', 'passwordHash', 'client_secret', 'clientSecret', 'token', 'access_token', 'refresh_token',
  'id_token', 'code', 'code_verifier', 'cookieKeys', 'device_code', 'user_code',
];
const SECRET_HEADERS = ['authorization', 'cookie', '["set-cookie"]'];

export const REDACTED_PATHS = [
  ...SECRET_FIELDS,
  ...['body', 'form', 'params', 'payload'].flatMap((parent) => SECRET_FIELDS.map((field) => `${parent}.${field}`)),
  ...['headers', 'req.headers', 'res.headers', 'request.headers', 'response.headers']
    .flatMap((parent) => SECRET_HEADERS.map((header) => `${parent}${header.startsWith('[') ? '' : '.'}${header}`)),
];

export type LogFormat = 'json' | 'pretty';

/** KEYLINE_LOG_FORMAT when set; otherwise pretty on a terminal in development, JSON everywhere else. */
export function defaultLogFormat(configured: LogFormat | undefined, env: Record<string, string | undefined> = process.env, isTty = process.stdout.isTTY === true): LogFormat {
  if (configured) return configured;
  return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const stream = format === 'pretty'
    // pino-pretty renders each line for people; it runs in-process, so it is for development consoles.
    ? pretty({ destination: destination ?? 1, colorize: destination === undefined && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' })
    // Asynchronous writes keep logging off the request path.
    : destination ?? pino.destination({ sync: false });
  return pino(
    {
      level,
      base: { service: 'keyline' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

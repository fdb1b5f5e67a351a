import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Secrets are removed by configuration: any of these paths in a log record is censored,
 * so a careless `log.info({ headers })` cannot leak a token, cookie or password.
 */
export const REDACTED_PATHS = [
  'password', '*.password',
  'client_secret', '*.client_secret', 'clientSecret', '*.clientSecret',
  'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
  'id_token', '*.id_token', 'code', '*.code', 'code_verifier', '*.code_verifier',
  'headers.authorization', '*.headers.authorization', 'headers.cookie', '*.headers.cookie',
  'headers["set-cookie"]', '*.headers["set-cookie"]',
  'cookieKeys', '*.cookieKeys', 'passwordHash', '*.passwordHash',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'keyline' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous writes keep logging off the request path.
    destination ?? pino.destination({ sync: false }),
  );
}

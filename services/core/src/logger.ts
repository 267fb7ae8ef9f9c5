import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line. Request headers carry bearer tokens and cookies;
 * config objects may carry keys. pino replaces the values with `[redacted]`.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.secret',
];

/** The process logger: structured JSON, one event per line, secrets redacted by path. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sleuth' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

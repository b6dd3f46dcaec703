import { type DestinationStream, type Logger, pino } from 'pino';

/** The service's logger type (pino). */
export type { Logger };

/**
 * pino level → Cloud Logging `severity`.
 * @see https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
const severities: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. @default 'info' */
  readonly level?: string;
  /** Where lines go. @default stdout, written synchronously so nothing is lost at exit */
  readonly destination?: DestinationStream;
}

/**
 * Creates the JSON logger: one object per line on stdout, with the `severity` and `message`
 * keys that Cloud Logging on GKE reads from a container's output, and an RFC 3339 `time`.
 *
 * @example
 * const logger = createLogger({ level: config.LOG_LEVEL });
 * logger.info({ port }, 'listening');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', destination = pino.destination({ dest: 1, sync: true }) } = options;
  return pino(
    {
      level,
      messageKey: 'message',
      errorKey: 'error',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ severity: severities[label] ?? 'DEFAULT' }),
      },
    },
    destination,
  );
}

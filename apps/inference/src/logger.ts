import { type DestinationStream, type Logger, pino } from 'pino';
import { createLineWriter, type LineWriter, type LineWriterOptions } from './http/fast/stdout.ts';

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
  /** Where lines go. @default {@link createStdoutDestination}() */
  readonly destination?: DestinationStream;
}

/** Options of {@link createStdoutDestination}: {@link LineWriterOptions} on stdout. */
export type StdoutDestinationOptions = Omit<LineWriterOptions, 'fd' | 'sink'>;

/**
 * Stdout, written in blocks (16 KiB) from the event loop ({@link createLineWriter}: a
 * non-blocking pipe, synchronous writes on a file), and flushed 50 ms after a block's first line
 * so that a quiet service's lines still appear at once. The last block is written when the
 * process exits (`process.exit`, the end of the shutdown sequence and the fatal paths included),
 * so no line is lost; only a SIGKILL can lose the last 50 ms of lines. Bounded: past 4 MiB
 * waiting for a slow stdout, lines are dropped (the stream emits `drop`, counted in the metrics),
 * never queued.
 */
export function createStdoutDestination(options: StdoutDestinationOptions = {}): LineWriter {
  return createLineWriter(options);
}

/**
 * Waits until the logger's destination has written what it buffers, the write in flight
 * included, or `timeoutMs` (a stdout that does not take it), whichever comes first. Call it
 * before exiting: the exit's synchronous flush writes what is buffered at once, and an
 * asynchronous write still in flight (earlier lines) could land after it.
 */
export function flushLog(logger: Logger, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // A destination that cannot flush now (closed): the exit flush does what it can.
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Writes out whatever the logger's destination still buffers, synchronously (e.g. the startup
 * lines, so that they are on stdout before the service reports ready). A no-op for
 * destinations without a buffer.
 */
export function flushLogSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[
    pino.symbols.streamSym
  ];
  try {
    stream?.flushSync?.();
  } catch {
    // Not open yet or already closed: nothing buffered that could be written now.
  }
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
  const { level = 'info', destination = createStdoutDestination() } = options;
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

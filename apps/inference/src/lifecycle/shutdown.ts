import type { Server } from 'node:http';
import { flushLog, type Logger } from '../logger.ts';
import type { Readiness } from '../readiness.ts';

/** Options of {@link createShutdown}. */
export interface ShutdownOptions {
  readonly server: Server;
  readonly readiness: Readiness;
  readonly logger: Logger;
  /** Serve on, not ready, for this long first (SHUTDOWN_DELAY). @default 0 */
  readonly delayMs?: number;
  /** Hard deadline for the drain after the delay (SHUTDOWN_TIMEOUT). @default 20000 */
  readonly timeoutMs?: number;
  /** What is still in flight, for the log line when the deadline cuts it. */
  readonly pending?: () => Record<string, number>;
  /** Waits for queued model work (the batcher) after the last connection closed. */
  readonly idle?: () => Promise<void>;
  /** Frees resources (the onnxruntime session) after the drain. */
  readonly release?: () => Promise<void>;
  /** Ends the process. @default process.exit */
  readonly exit?: (code: number) => void;
}

/** The graceful shutdown sequence; `begin` may be called any number of times. */
export interface Shutdown {
  /** Starts the sequence once; later calls only log. Resolves with the exit code. */
  begin(reason: string): Promise<number>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the termination sequence for SIGTERM:
 * 1. readiness turns false at once (`/readyz` 503) while requests keep being served for
 *    `delayMs`, the time the load balancer needs to stop routing here;
 * 2. the listener closes and idle keep-alive connections are closed; busy ones finish their
 *    request (answered with `Connection: close`), queued batches included;
 * 3. exit 0 once everything is done, or exit 1 at `timeoutMs`, logging what was cut.
 * A second signal during the drain changes nothing: the work in flight is not skipped.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const {
    server,
    readiness,
    logger,
    delayMs = 0,
    timeoutMs = 20_000,
    pending = () => ({}),
    idle = async () => {},
    release = async () => {},
    exit = (code: number) => process.exit(code),
  } = options;
  let running: Promise<number> | undefined;

  const drain = async (reason: string): Promise<number> => {
    readiness.startDraining();
    logger.info({ reason, delayMs, timeoutMs }, 'shutdown: not ready; serving on during the delay');
    if (delayMs > 0) await sleep(delayMs);

    readiness.markStopping();
    logger.info(pending(), 'shutdown: listener closed; draining in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Connections that finish a request after this point are closed by `Connection: close`;
    // sweeping again catches any that went idle in between.
    const sweep = setInterval(() => server.closeIdleConnections(), 250);
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      closed.then(idle).then(() => 'drained' as const),
      timedOut,
    ]);
    clearInterval(sweep);
    clearTimeout(deadline);
    readiness.markStopped();
    if (outcome === 'timeout') {
      logger.error(
        pending(),
        `shutdown: deadline of ${timeoutMs} ms reached; cutting in-flight work`,
      );
      server.closeAllConnections();
      return 1;
    }
    await release().catch((error: unknown) => logger.warn({ error }, 'shutdown: release failed'));
    logger.info('shutdown: drained; exiting');
    return 0;
  };

  return {
    begin(reason) {
      if (running) {
        logger.info({ reason }, 'shutdown: already in progress; in-flight work continues');
        return running;
      }
      running = drain(reason).then(async (code) => {
        // Lines still on their way to stdout (an asynchronous write in flight) are written
        // before the last ones, which the exit's synchronous flush would otherwise overtake.
        await flushLog(logger, 2000);
        exit(code);
        return code;
      });
      return running;
    },
  };
}

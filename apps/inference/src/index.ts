// The process entry point: read the configuration, start the service, wire the signals.
// Any startup failure (bad variable, missing/corrupt/mismatched model, port in use) is one
// clear log line and exit code 1. With WORKERS > 1 this process becomes the primary of that
// many worker processes (src/cluster/primary.ts), and each worker runs the service.
// The primary and the service are imported when needed (separate chunks of the build): the
// primary never loads onnxruntime and the service's modules.
import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';

/** A bug that escapes every handler still ends as one JSON line Cloud Logging can alert on. */
function exitOnUncaught(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.fatal({ error }, `uncaught exception: ${error.message}`);
    process.exit(1);
  });
}

/** WORKERS > 1, in the process started by the user: fork, supervise, forward signals. */
async function primary(config: Config): Promise<void> {
  const [{ createPrimaryOutput }, { runPrimary }] = await Promise.all([
    import('./cluster/output.ts'),
    import('./cluster/primary.ts'),
  ]);
  const output = createPrimaryOutput();
  const logger = createLogger({ level: config.LOG_LEVEL, destination: output.lines });
  exitOnUncaught(logger);
  try {
    const running = await runPrimary({ config, logger, output });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void running.shutdown(signal));
    }
  } catch (error) {
    // The probe port in use: nothing was forked yet.
    logger.fatal({}, `startup failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** One service process: the whole service alone, or a worker of a primary. */
async function service(config: Config): Promise<void> {
  const [{ createPodLink, workerSlot }, { ModelLoadError }, { startService }] = await Promise.all([
    import('./cluster/link.ts'),
    import('./model/load.ts'),
    import('./service.ts'),
  ]);
  const slot = config.WORKERS > 1 && cluster.isWorker ? workerSlot() : undefined;
  // A worker's stdout is a pipe to its primary, which relays its 16 KiB blocks in whole lines.
  const base = createLogger({ level: config.LOG_LEVEL });
  const logger = slot === undefined ? base : base.child({ worker: slot });
  exitOnUncaught(logger);
  try {
    const link =
      slot === undefined ? undefined : createPodLink({ worker: slot, workers: config.WORKERS });
    const running = await startService({ config, logger, ...(link ? { cluster: link } : {}) });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void running.shutdown.begin(signal));
    }
  } catch (error) {
    // An expected failure (bad model directory) needs no stack trace; anything else does.
    const detail = error instanceof ModelLoadError ? {} : { error };
    logger.fatal(detail, `startup failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().fatal(error.message);
    process.exit(1);
  }
  if (config.WORKERS > 1 && cluster.isPrimary) await primary(config);
  else await service(config);
}

void main();

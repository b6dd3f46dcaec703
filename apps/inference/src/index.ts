// The process entry point: read the configuration, start the service, wire the signals.
// Any startup failure (bad variable, missing/corrupt/mismatched model, port in use) is one
// clear log line and exit code 1.
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { ModelLoadError } from './model/load.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().fatal(error.message);
    process.exit(1);
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  // A bug that escapes every handler still ends as one JSON line Cloud Logging can alert on.
  process.on('uncaughtException', (error) => {
    logger.fatal({ error }, `uncaught exception: ${error.message}`);
    process.exit(1);
  });
  try {
    const running = await startService({ config, logger });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void running.shutdown.begin(signal));
    }
  } catch (error) {
    // An expected failure (bad model directory) needs no stack trace; anything else does.
    const expected = error instanceof ModelLoadError || error instanceof ConfigError;
    const detail = expected ? {} : { error };
    logger.fatal(detail, `startup failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

void main();

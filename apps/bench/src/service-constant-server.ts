/**
 * Entry of the "service stack, constant /predict" ceiling: the inference service's own
 * `startService` (config from the same environment variables, model loaded and warmed, request
 * id, request log, metrics, security headers, JSON body limits, error handling, lifecycle and
 * shutdown), with `/predict` answering a constant (`constantPredictions`) through the same lane
 * and Hono routes as the service's own. Run with tsx:
 * `PORT=8081 HOST=127.0.0.1 tsx src/service-constant-server.ts`.
 */
import { createLogger, loadConfig, startService } from '@modelship/inference';
import { constantPredictions } from './service-constant.ts';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
const service = await startService({ config, logger, predictions: constantPredictions() });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void service.shutdown.begin(signal));
}

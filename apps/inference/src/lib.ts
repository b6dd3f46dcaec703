// The package's library entry (`import ... from '@modelship/inference'`), for tools that run
// the service's own stack in process, such as the benchmark's "service answering a constant"
// ceiling, and the `modelship` command (the loader, the ONNX metadata reader and writer, the
// classifier graph reader). The service itself starts from src/index.ts (bundled into
// dist/server.js).

export { type CreateAppOptions, createApp } from './app.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
export type { AppDeps, AppEnv } from './deps.ts';
export { createExplainer, type ExplainerOptions } from './explain/explainer.ts';
export type { Explainer, ExplainMethod, Explanation } from './explain/types.ts';
export { createLogger, createStdoutDestination, flushLogSync, type Logger } from './logger.ts';
export { fixedBatchSize } from './model/batch-size.ts';
export { type ClassifierGraph, readClassifierGraph } from './model/classifier-graph.ts';
export {
  externalDataFiles,
  externalDataProblem,
  inlineExternalData,
  PROTOBUF_LIMIT,
} from './model/external-data.ts';
export {
  type LoadModelOptions,
  loadModel,
  MODEL_FILE,
  ModelLoadError,
  PROFILE_FILE,
  SCHEMA_FILE,
} from './model/load.ts';
export { readOnnxMetadata, writeOnnxMetadata } from './model/onnx-metadata.ts';
export type { ServedModel } from './model/served-model.ts';
export { externalDataFolder } from './model/session-options.ts';
export type { ClassPrediction, Prediction, ServedTask } from './model/task.ts';
export { predictionRoutes, type RouteModule } from './routes/index.ts';
export type {
  AnswerOfBody,
  PredictionAnswer,
  PredictionRoute,
} from './routes/prediction-route.ts';
export { type RuntimeImage, runtimeImage } from './runtime-image.ts';
export {
  type CreateDepsOptions,
  createDeps,
  type Service,
  type StartServiceOptions,
  startService,
} from './service.ts';

export { buildApp, type ModelSource } from './app.ts';
export {
  type AppConfig,
  ARTIFACT_REGISTRY_IMAGE,
  artifactRegistryProject,
  ConfigError,
  loadAppConfig,
  NAMESPACE_NAME,
  parseModelSource,
  SECRET_NAME,
  SECRET_NAME_RULE,
} from './config.ts';
export { ENVIRONMENT_NAMES, type EnvironmentName } from './environment-names.ts';
export { ENVIRONMENTS, type Environment } from './environments.ts';
export { type BucketReader, bucketReaderBinding } from './gcs-access.ts';
export {
  type ChartRolloutOptions,
  InferenceChart,
  type InferenceChartProps,
} from './inference-chart.ts';
export { readModelMetadata } from './model-metadata.ts';

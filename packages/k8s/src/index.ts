export {
  assertPinnedImage,
  defaultPullPolicy,
  type ImageReference,
  parseImageReference,
} from './image-reference.ts';
export { InferenceWorkload } from './inference-workload.ts';
export { ANNOTATION_PREFIX, NGINX_CONF_CHECKSUM_ANNOTATION } from './metadata.ts';
export {
  MODEL_ROLLOUT_DEFAULTS,
  ModelRollout,
  type ModelRolloutProps,
  type RolloutGatewayClass,
} from './model-rollout.ts';
export { readNginxConfOptions, renderNginxConf } from './nginx-conf.ts';
export {
  GOOGLE_LOAD_BALANCER_CIDRS,
  type NginxConfOptions,
  type NginxRateLimitOptions,
  type NginxRealIpOptions,
  type ResolvedNginxConfOptions,
  resolveNginxConfOptions,
} from './nginx-conf-options.ts';
export { INFERENCE_UID, NGINX_CONF_DIR, NGINX_UID } from './pod-template.ts';
export { InvalidPropError } from './validate.ts';
export { ALERT_RULES_DEFAULTS, type AlertRule, alertRules } from './workload-alerts.ts';
export {
  assertBucketName,
  assertObjectPrefix,
  GCS_FUSE_DRIVER,
  GCS_SIDECAR_DEFAULTS,
  GCS_SOURCE_DEFAULTS,
  type GcsFuseSidecarResources,
  type GcsModelSource,
  type ImageModelSource,
  type ModelSourceOptions,
} from './workload-model-source.ts';
export type { PodMonitoringSpec } from './workload-monitoring.ts';
export { DEFAULT_SCRAPER_NAMESPACES } from './workload-monitoring.ts';
export {
  type BackendConfigSpec,
  GKE_METADATA_SERVER_IP,
  METADATA_SERVER_IP,
  NODE_LOCAL_DNS_IP,
  WORKLOAD_IDENTITY_ANNOTATION,
} from './workload-networking.ts';
export { DEFAULT_RESOURCES } from './workload-placement.ts';
export {
  type AlertRulesOptions,
  type AutoscalingOptions,
  type ContainerResources,
  DEFAULT_NGINX_IMAGE,
  type EgressOptions,
  type InferenceServiceOptions,
  type InferenceWorkloadProps,
  type IngressOptions,
  type MetricsOptions,
  type ModelMetadata,
  type RequestAutoscalingOptions,
  type ResourceAmounts,
  type ServiceOptions,
  type TopologySpreadOptions,
} from './workload-props.ts';
export { AUTOSCALED_CONTAINER, managedPrometheusMetric } from './workload-scaling.ts';
export type { WorkloadSettings } from './workload-settings.ts';
export {
  resolveTermination,
  type TerminationOptions,
  type TerminationTimeline,
} from './workload-termination.ts';

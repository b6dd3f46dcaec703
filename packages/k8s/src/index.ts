export {
  assertPinnedImage,
  defaultPullPolicy,
  type ImageReference,
  parseImageReference,
} from './image-reference.ts';
export { InferenceWorkload } from './inference-workload.ts';
export {
  ANNOTATION_PREFIX,
  NGINX_CONF_CHECKSUM_ANNOTATION,
  type WorkloadMeta,
} from './metadata.ts';
export {
  MODEL_ROLLOUT_DEFAULTS,
  ModelRollout,
  type ModelRolloutProps,
  ROLLOUT_GATEWAY_CLASSES,
  ROLLOUT_MODES,
  type RolloutGatewayClass,
} from './model-rollout.ts';
export { readNginxConfOptions, renderNginxConf } from './nginx-conf.ts';
export {
  GOOGLE_LOAD_BALANCER_CIDRS,
  type NginxConfOptions,
  type NginxRateLimitOptions,
  type NginxRealIpOptions,
  type NginxTlsOptions,
  type ResolvedNginxConfOptions,
  resolveNginxConfOptions,
} from './nginx-conf-options.ts';
export { type GatewayIapOptions, OAUTH_CLIENT_ID } from './rollout-policies.ts';
export { InvalidPropError } from './validate.ts';
export {
  ALERT_RULES_DEFAULTS,
  type AlertRule,
  type AlertRulesOptions,
  alertRules,
} from './workload-alerts.ts';
export type { ApiKeysOptions } from './workload-api-keys.ts';
export type { DeploymentOptions } from './workload-deployment.ts';
export { type ModelMetadata, WORKLOAD_IDENTITY_ANNOTATION } from './workload-identity.ts';
export {
  type ExplainSettings,
  INFERENCE_UID,
  type InferenceServiceOptions,
} from './workload-inference.ts';
export type {
  BackendConfigSpec,
  IngressIapOptions,
  IngressOptions,
  IngressTlsOptions,
} from './workload-ingress.ts';
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
export {
  DEFAULT_SCRAPER_NAMESPACES,
  type MetricsOptions,
  type PodMonitoringSpec,
} from './workload-monitoring.ts';
export {
  type EgressOptions,
  GKE_METADATA_SERVER_IP,
  METADATA_SERVER_IP,
  NODE_LOCAL_DNS_IP,
} from './workload-network-policy.ts';
export {
  DEFAULT_CONNECTION_LIMIT,
  DEFAULT_NGINX_IMAGE,
  DEFAULT_RATE_LIMIT,
  NGINX_CONF_DIR,
  NGINX_UID,
} from './workload-nginx.ts';
export {
  type ContainerResources,
  DEFAULT_RESOURCES,
  type ResourceAmounts,
  type ResourcesOptions,
  type TopologySpreadOptions,
} from './workload-placement.ts';
export {
  AUTOSCALED_CONTAINER,
  type AutoscalingOptions,
  type DisruptionOptions,
  managedPrometheusMetric,
  type RequestAutoscalingOptions,
} from './workload-scaling.ts';
export type { ServiceOptions } from './workload-service.ts';
export type { InferenceWorkloadProps, WorkloadSettings } from './workload-settings.ts';
export { nginxWorkersFor } from './workload-settings.ts';
export {
  resolveTermination,
  type TerminationOptions,
  type TerminationTimeline,
} from './workload-termination.ts';
export { DNS_SUBDOMAIN, HTTPS_SERVICE_PORT, type TlsOptions } from './workload-tls.ts';

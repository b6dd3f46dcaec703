export { InferenceWorkload } from './inference-workload.ts';
export { ANNOTATION_PREFIX, NGINX_CONF_CHECKSUM_ANNOTATION } from './metadata.ts';
export { renderNginxConf } from './nginx-conf.ts';
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
export type { PodMonitoringSpec } from './workload-monitoring.ts';
export type { BackendConfigSpec } from './workload-networking.ts';
export {
  type AutoscalingOptions,
  type ContainerResources,
  DEFAULT_NGINX_IMAGE,
  type InferenceServiceOptions,
  type InferenceWorkloadProps,
  type IngressOptions,
  type MetricsOptions,
  type ModelMetadata,
  type ResourceAmounts,
  type ServiceOptions,
  type TopologySpreadOptions,
} from './workload-props.ts';
export {
  DEFAULT_RESOURCES,
  GOOGLE_CLOUD_PROJECT_ID,
  MANAGED_ENV,
  type WorkloadSettings,
} from './workload-settings.ts';

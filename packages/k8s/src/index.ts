export {
  assertPinnedImage,
  defaultPullPolicy,
  type ImageReference,
  parseImageReference,
} from './image-reference.ts';
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
export {
  type BackendConfigSpec,
  GKE_METADATA_SERVER_IP,
  METADATA_SERVER_IP,
  NODE_LOCAL_DNS_IP,
} from './workload-networking.ts';
export {
  type AutoscalingOptions,
  type ContainerResources,
  DEFAULT_NGINX_IMAGE,
  type EgressOptions,
  type InferenceServiceOptions,
  type InferenceWorkloadProps,
  type IngressOptions,
  type MetricsOptions,
  type ModelMetadata,
  type ResourceAmounts,
  type ServiceOptions,
  type TopologySpreadOptions,
} from './workload-props.ts';
export { AUTOSCALED_CONTAINER } from './workload-scaling.ts';
export {
  DEFAULT_RESOURCES,
  DEFAULT_SCRAPER_NAMESPACES,
  GOOGLE_CLOUD_PROJECT_ID,
  MANAGED_ENV,
  WORKLOAD_IDENTITY_ANNOTATION,
  type WorkloadSettings,
} from './workload-settings.ts';

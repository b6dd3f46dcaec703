export { findUnknownFields, type KubeObject, modelModule, validateObjects } from './kube-schema.ts';
export { findNginx, nginxConfigTest, stdoutFile } from './nginx.ts';
export {
  allPolicyViolations,
  autoscalerViolations,
  containerPolicyViolations,
  probeViolations,
  selectorViolations,
  serviceViolations,
  workloads,
} from './policy.ts';

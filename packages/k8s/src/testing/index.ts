export { findUnknownFields, type KubeObject, modelModule, validateObjects } from './kube-schema.ts';
export {
  allPolicyViolations,
  autoscalerViolations,
  containerPolicyViolations,
  probeViolations,
  selectorViolations,
  serviceViolations,
  workloads,
} from './policy.ts';

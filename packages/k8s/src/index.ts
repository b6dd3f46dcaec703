export { InferenceWorkload, type InferenceWorkloadProps } from './inference-workload.ts';

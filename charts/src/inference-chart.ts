import {
  type ApiKeysOptions,
  type GatewayIapOptions,
  InferenceWorkload,
  type InferenceWorkloadProps,
  type ModelMetadata,
  ModelRollout,
  type ModelRolloutProps,
  type ModelSourceOptions,
} from '@modelship/k8s';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { ARTIFACT_REGISTRY_IMAGE, artifactRegistryProject, ConfigError } from './config.ts';
import type { Environment } from './environments.ts';

/** Props for {@link InferenceChart}. */
export interface InferenceChartProps extends ChartProps {
  /** The environment's choices. */
  readonly environment: Environment;
  /** Image of the inference service. @default environment.defaultImage */
  readonly image?: string;
  /** The served model (annotations). @default undefined (none) */
  readonly model?: ModelMetadata;
  /**
   * Google Cloud project for log-to-trace links.
   * @default the project of an Artifact Registry image, else none
   */
  readonly googleCloudProject?: string;
  /** Namespace of every object. @default the environment's, else none */
  readonly namespace?: string;
  /**
   * Where the model comes from (`MODEL_SOURCE`). @default the environment's, else the image
   */
  readonly modelSource?: ModelSourceOptions;
  /**
   * API keys from a Secret of hashed keys (`API_KEYS_SECRET`), for the stable and candidate
   * workloads alike. @default the environment's, else none
   */
  readonly apiKeys?: ApiKeysOptions;
  /**
   * Identity-Aware Proxy, which lives on Google's Application Load Balancer: here the Gateway in
   * front of a `rollout` (refused without one). @default undefined (off)
   */
  readonly iap?: GatewayIapOptions;
  /** The workload's name. @default the environment's */
  readonly name?: string;
  /** The nginx image (`NGINX_IMAGE`). @default the environment's, else the construct's */
  readonly nginxImage?: string;
  /**
   * A candidate model beside the stable one, behind a GKE Gateway (canary or shadow; see
   * `ModelRollout` in @modelship/k8s). Both workloads get ClusterIP Services: the Gateway is
   * the entrance. @default undefined (the stable workload alone, on the environment's Service)
   */
  readonly rollout?: ChartRolloutOptions;
}

/** A candidate model for {@link InferenceChartProps.rollout}. */
export interface ChartRolloutOptions
  extends Pick<ModelRolloutProps, 'mode' | 'candidateWeightPercent' | 'gatewayClassName'> {
  /** The candidate's image. Same registry rules as the stable image. */
  readonly image: string;
  /** The candidate's model (annotations). @default undefined (none) */
  readonly model?: ModelMetadata;
  /** The candidate's model source. @default the stable workload's */
  readonly modelSource?: ModelSourceOptions;
  /** The candidate workload's name. @default `<name>-candidate` */
  readonly name?: string;
}

/**
 * One environment's manifests: the nginx-fronted inference workload with the environment's
 * values. Synthesized into `dist/<id>.k8s.yaml`.
 *
 * @example
 * new InferenceChart(app, 'gke', { environment: ENVIRONMENTS.gke, model: readModelMetadata() });
 */
export class InferenceChart extends Chart {
  /** The (stable) workload. */
  public readonly workload: InferenceWorkload;
  /** The stable and candidate workloads behind the Gateway, when `rollout` is set. */
  public readonly rollout?: ModelRollout;

  constructor(scope: Construct, id: string, props: InferenceChartProps) {
    super(scope, id, props);
    const env = props.environment;
    const image = props.image ?? env.defaultImage;
    const checkImage = (variable: string, value: string) => {
      if (env.requireArtifactRegistry && !ARTIFACT_REGISTRY_IMAGE.test(value)) {
        throw new ConfigError(
          `${variable}=${JSON.stringify(value)}: chart '${id}' needs an Artifact Registry image, REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`,
        );
      }
    };
    checkImage('IMAGE', image);
    const workloadProps = (
      image: string,
      model: ModelMetadata | undefined,
      modelSource: ModelSourceOptions | undefined,
    ): InferenceWorkloadProps => ({
      ...env.workload,
      name: props.name ?? env.workload.name,
      tls: env.https
        ? { secretName: `${props.name ?? env.workload.name ?? 'inference'}-tls` }
        : false,
      namespace: props.namespace ?? env.workload.namespace,
      nginxImage: props.nginxImage ?? env.workload.nginxImage,
      apiKeys: props.apiKeys ?? env.workload.apiKeys,
      inference: {
        ...env.workload.inference,
        googleCloudProject: props.googleCloudProject ?? artifactRegistryProject(image),
      },
      image,
      model,
      modelSource: modelSource ?? props.modelSource ?? env.workload.modelSource,
    });
    const stable = workloadProps(image, props.model, undefined);
    const rollout = props.rollout;
    if (rollout === undefined) {
      if (props.iap !== undefined) {
        throw new ConfigError(
          `IAP: chart '${id}' serves through a ${stable.service?.type ?? 'ClusterIP'} Service, which has no Identity-Aware Proxy (it lives on Google's Application Load Balancer): it needs the Gateway in front of a candidate (rollout)`,
        );
      }
      this.workload = new InferenceWorkload(this, 'inference', stable);
      return;
    }
    checkImage('CANDIDATE_IMAGE', rollout.image);
    // Behind the Gateway each Service is ClusterIP (no second load balancer).
    const behindGateway = (p: InferenceWorkloadProps): InferenceWorkloadProps => ({
      ...p,
      service: { ...p.service, type: 'ClusterIP', loadBalancerSourceRanges: undefined },
      ingress: { ...p.ingress, enabled: false },
      // The Gateway terminates TLS in front of them.
      tls: false,
    });
    const candidate = workloadProps(rollout.image, rollout.model, rollout.modelSource);
    this.rollout = new ModelRollout(this, 'rollout', {
      mode: rollout.mode,
      candidateWeightPercent: rollout.candidateWeightPercent,
      gatewayClassName: rollout.gatewayClassName,
      // HTTPS on the Gateway from the same Secret as the passthrough path's.
      tls: env.https
        ? { secretName: `${props.name ?? env.workload.name ?? 'inference'}-tls` }
        : false,
      iap: props.iap,
      stable: behindGateway(stable),
      candidate: behindGateway({
        ...candidate,
        name: rollout.name ?? `${stable.name ?? 'inference'}-candidate`,
      }),
    });
    this.workload = this.rollout.stable;
  }
}

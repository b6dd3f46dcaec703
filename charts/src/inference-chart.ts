import { InferenceWorkload, type ModelMetadata, type ModelSourceOptions } from '@modelship/k8s';
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
  /** The workload's name. @default the environment's */
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
  public readonly workload: InferenceWorkload;

  constructor(scope: Construct, id: string, props: InferenceChartProps) {
    super(scope, id, props);
    const env = props.environment;
    const image = props.image ?? env.defaultImage;
    if (env.requireArtifactRegistry && !ARTIFACT_REGISTRY_IMAGE.test(image)) {
      throw new ConfigError(
        `IMAGE=${JSON.stringify(image)}: chart '${id}' needs an Artifact Registry image, REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`,
      );
    }
    const googleCloudProject = props.googleCloudProject ?? artifactRegistryProject(image);
    this.workload = new InferenceWorkload(this, 'inference', {
      ...env.workload,
      name: props.name ?? env.workload.name,
      namespace: props.namespace ?? env.workload.namespace,
      inference: { ...env.workload.inference, googleCloudProject },
      image,
      model: props.model,
      modelSource: props.modelSource ?? env.workload.modelSource,
    });
  }
}

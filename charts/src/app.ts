import { App, type AppProps } from 'cdk8s';
import type { AppConfig } from './config.ts';
import { ENVIRONMENTS } from './environments.ts';
import { type ChartRolloutOptions, InferenceChart } from './inference-chart.ts';
import { readModelMetadata } from './model-metadata.ts';

/** The model the charts run (`modelship synth` gives one; `pnpm synth` the bundled one). */
export interface ModelSource {
  /** A model directory: its schema.json names the model. @default the bundled insurance model */
  readonly dir?: string;
  /** The workload's name (objects and `app.kubernetes.io/instance`). @default the environment's */
  readonly name?: string;
  /**
   * A candidate model beside it, behind a GKE Gateway (canary or shadow): its model directory
   * (whose schema.json names it) and image, the mode and weight.
   * @default undefined (no candidate; the manifests `pnpm synth` writes)
   */
  readonly candidate?: Omit<ChartRolloutOptions, 'model'> & { readonly dir: string };
}

/**
 * Builds the cdk8s app: one {@link InferenceChart} per selected environment, annotated with the
 * model's name, version and fingerprint (the bundled model unless `source.dir` is given).
 *
 * @example
 * buildApp(config, { outdir: 'dist' }, { dir: 'models/churn', name: 'churn' }).synth();
 */
export function buildApp(
  config: AppConfig,
  appProps: AppProps = {},
  source: ModelSource = {},
): App {
  const app = new App(appProps);
  const model = readModelMetadata(source.dir);
  const candidate = source.candidate;
  const rollout: ChartRolloutOptions | undefined = candidate && {
    mode: candidate.mode,
    candidateWeightPercent: candidate.candidateWeightPercent,
    gatewayClassName: candidate.gatewayClassName,
    image: candidate.image,
    modelSource: candidate.modelSource,
    name: candidate.name,
    model: readModelMetadata(candidate.dir),
  };
  for (const name of config.charts) {
    new InferenceChart(app, name, {
      environment: ENVIRONMENTS[name],
      image: config.image,
      googleCloudProject: config.googleCloudProject,
      namespace: config.namespace,
      modelSource: config.modelSource,
      nginxImage: config.nginxImage,
      apiKeys:
        config.apiKeysSecret === undefined ? undefined : { secretName: config.apiKeysSecret },
      iap: config.iap,
      model,
      name: source.name,
      rollout,
    });
  }
  return app;
}

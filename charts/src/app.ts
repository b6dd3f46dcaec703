import { App, type AppProps } from 'cdk8s';
import type { AppConfig } from './config.ts';
import { ENVIRONMENTS } from './environments.ts';
import { InferenceChart } from './inference-chart.ts';
import { readModelMetadata } from './model-metadata.ts';

/**
 * Builds the cdk8s app: one {@link InferenceChart} per selected environment, annotated with the
 * bundled model's name, version and fingerprint.
 */
export function buildApp(config: AppConfig, appProps: AppProps = {}): App {
  const app = new App(appProps);
  const model = readModelMetadata();
  for (const name of config.charts) {
    new InferenceChart(app, name, {
      environment: ENVIRONMENTS[name],
      image: config.image,
      googleCloudProject: config.googleCloudProject,
      namespace: config.namespace,
      model,
    });
  }
  return app;
}

import { App } from 'cdk8s';
import { GkeChart } from './src/gke.ts';

const app = new App();
new GkeChart(app, 'gke', {
  image: process.env.IMAGE ?? 'us-central1-docker.pkg.dev/my-project/models/inference:0.1.0',
});
app.synth();

import { buildApp } from './src/app.ts';
import { loadAppConfig } from './src/config.ts';

// Run by `cdk8s synth` (see cdk8s.yaml), which sets CDK8S_OUTDIR; `pnpm synth` runs that.
buildApp(loadAppConfig()).synth();

import { existsSync, readdirSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import {
  type AppConfig,
  ARTIFACT_REGISTRY_IMAGE,
  artifactRegistryProject,
  bucketReaderBinding,
  buildApp,
  ENVIRONMENT_NAMES,
  type ModelSource,
  NAMESPACE_NAME,
  parseModelSource,
} from '@modelship/charts';
import { MODEL_ROLLOUT_DEFAULTS, ROLLOUT_GATEWAY_CLASSES, ROLLOUT_MODES } from '@modelship/k8s';
import { type CommandLine, defineCommand, type Flags } from '../args.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure, usageError } from '../errors.ts';
import { type CommandIo, resolvePath } from '../io.ts';
import { DNS_1035_LABEL, workloadName } from '../workload-name.ts';
import { replaceDirAtomically } from '../write-dir.ts';
import { accessConfig, accessFlags, accessSteps } from './synth-access.ts';

/** Refuses an `--out` that holds anything but synthesized manifests (it is replaced whole). */
function checkManifestsOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw usageError(`--out ${out} is a file, not a directory`);
  const others = readdirSync(out).filter((f) => !f.endsWith('.k8s.yaml'));
  if (others.length > 0) {
    throw usageError(
      `--out ${out} holds files that are not manifests (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}); it would be replaced whole: choose a new or empty directory`,
    );
  }
}

const synthFlags = {
  image: {
    type: 'string',
    value: 'IMAGE',
    required: true,
    help: 'the inference image; for gke an Artifact Registry image, REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG (or @sha256:...)',
  },
  env: {
    type: 'string',
    value: 'ENV',
    choices: ENVIRONMENT_NAMES,
    default: 'gke',
    help: 'gke: a LoadBalancer Service, 2-10 replicas; local: a ClusterIP Service for kind, minikube, k3d, Docker Desktop',
  },
  out: {
    type: 'string',
    value: 'DIR',
    default: 'dist',
    help: 'the directory to write ENV.k8s.yaml in; it may exist only if it holds nothing but manifests (*.k8s.yaml), which are replaced',
  },
  name: {
    type: 'string',
    value: 'NAME',
    help: "the workload's name (default: derived from model.name); a DNS-1035 label: lowercase letters, digits and '-', starting with a letter",
  },
  namespace: {
    type: 'string',
    value: 'NS',
    help: "the namespace of every object (default: kubectl's current namespace)",
  },
  'model-source': {
    type: 'string',
    value: 'gs://BUCKET/PREFIX',
    help: "serve the versioned source that modelship publish writes there, mounted read-only by GKE's Cloud Storage FUSE driver (default: the image's model)",
  },
  candidate: {
    type: 'string',
    value: 'DIR2',
    help: "a candidate model beside DIR (<name>-candidate): both workloads on ClusterIP Services behind a GKE Gateway and an HTTPRoute, with a HealthCheckPolicy on each Service's /readyz",
  },
  'candidate-image': {
    type: 'string',
    value: 'IMAGE2',
    needs: 'candidate',
    help: "the candidate's image (required with --candidate)",
  },
  mode: {
    type: 'string',
    value: 'MODE',
    choices: ROLLOUT_MODES,
    needs: 'candidate',
    help: "how the candidate gets requests: canary, the share set by --weight (the default), or shadow, a mirror of every request to DIR's model, whose answers nobody gets",
  },
  weight: {
    type: 'integer',
    value: 'N',
    min: 0,
    max: 100,
    must: 'a whole percentage, 0 to 100',
    needs: 'candidate',
    help: `canary: the candidate's percentage of requests (default: ${MODEL_ROLLOUT_DEFAULTS.candidateWeightPercent})`,
  },
  'gateway-class': {
    type: 'string',
    value: 'CLASS',
    choices: ROLLOUT_GATEWAY_CLASSES,
    needs: 'candidate',
    help: `the Gateway's class, ${MODEL_ROLLOUT_DEFAULTS.gatewayClassName} by default; gke-l7-regional-external-managed needs a proxy-only subnet in the cluster's region first: gcloud compute networks subnets create NAME --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE --region=REGION --network=NETWORK --range=CIDR`,
  },
  ...accessFlags,
} as const satisfies Flags;

/** The candidate flags, checked: undefined without --candidate. */
function candidateFlags(
  values: CommandLine<['DIR'], typeof synthFlags>['values'],
  io: CommandIo,
): NonNullable<ModelSource['candidate']> | undefined {
  const { candidate: dirArg, 'candidate-image': image, mode, weight } = values;
  if (dirArg === undefined) return undefined;
  if (!image) throw usageError('--candidate needs --candidate-image IMAGE2 (the candidate image)');
  if (values.env === 'gke' && !ARTIFACT_REGISTRY_IMAGE.test(image)) {
    throw usageError(
      `--candidate-image ${image}: --env gke needs an Artifact Registry image, REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG (or @sha256:<digest>)`,
    );
  }
  if (weight !== undefined && mode === 'shadow') {
    throw usageError('--weight applies to --mode canary only (a shadow answers nobody)');
  }
  return {
    dir: resolvePath(io, dirArg),
    image,
    mode,
    candidateWeightPercent: weight,
    gatewayClassName: values['gateway-class'],
  };
}

/** `modelship synth`. */
export const synthCommand = defineCommand({
  name: 'synth',
  summary: 'the Kubernetes manifests that run it (dist/ENV.k8s.yaml)',
  args: ['DIR'],
  flags: synthFlags,
  description: `Writes the Kubernetes manifests that run the model directory DIR from IMAGE (the image
modelship build made of it): the environment's chart of this repository's chart app, as
\`pnpm synth\` writes the bundled model's. The workload's name comes from the schema's
model.name (as a DNS-1035 label), its labels and annotations from the model's name, version
and fingerprint. DIR is checked as the server would load it first. OUT is written all at
once, replacing an earlier synth's output; nothing is written on any error.`,
  examples: [
    'modelship synth models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 --out dist',
    `modelship synth models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 \\
    --candidate models/churn-v2 --candidate-image us-central1-docker.pkg.dev/acme/models/churn:2.0.0 \\
    --mode canary --weight 10`,
    'modelship synth models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 --api-keys-secret churn-api-keys',
    `modelship synth models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 \\
    --candidate models/churn-v2 --candidate-image us-central1-docker.pkg.dev/acme/models/churn:2.0.0 \\
    --iap-secret churn-oauth --iap-client-id 123456789012-abc.apps.googleusercontent.com`,
  ],
  run: synth,
});

async function synth(
  { positionals: [dirArg], values }: CommandLine<['DIR'], typeof synthFlags>,
  io: CommandIo,
): Promise<number> {
  const { image, env } = values;
  if (env === 'gke' && !ARTIFACT_REGISTRY_IMAGE.test(image)) {
    throw usageError(
      `--image ${image}: --env gke needs an Artifact Registry image, REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG (or @sha256:<digest>)`,
    );
  }
  const nameFlag = values.name;
  if (nameFlag !== undefined && !DNS_1035_LABEL.test(nameFlag)) {
    throw usageError(
      `--name ${JSON.stringify(nameFlag)}: must be a DNS-1035 label: at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit`,
    );
  }
  const { namespace } = values;
  if (namespace !== undefined && !NAMESPACE_NAME.test(namespace)) {
    throw usageError(
      `--namespace ${JSON.stringify(namespace)}: must be a namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const modelSourceFlag = values['model-source'];
  let modelSource: AppConfig['modelSource'];
  try {
    modelSource = modelSourceFlag === undefined ? undefined : parseModelSource(modelSourceFlag);
  } catch (error) {
    throw usageError(`--model-source: ${(error as Error).message.replace(/^MODEL_SOURCE=/, '')}`);
  }
  const candidate = candidateFlags(values, io);
  const access = accessConfig(values);
  const dir = resolvePath(io, dirArg);
  const out = resolvePath(io, values.out);
  checkManifestsOut(out);

  const diagnosis = await diagnoseModelDir(dir);
  if (!diagnosis.ok) throw failure(formatProblems(dir, diagnosis.problems));
  if (candidate) {
    const candidateDiagnosis = await diagnoseModelDir(candidate.dir);
    if (!candidateDiagnosis.ok) {
      throw failure(formatProblems(candidate.dir, candidateDiagnosis.problems));
    }
    await candidateDiagnosis.model.release();
  }
  const { schema } = diagnosis.model;
  await diagnosis.model.release();
  const name = nameFlag ?? workloadName(schema.model.name);
  if (name === undefined) {
    throw failure(
      `${dir}/schema.json: model.name ${JSON.stringify(schema.model.name)} has no letter to make a workload name of: pass --name NAME`,
    );
  }

  const config: AppConfig = {
    charts: [env],
    image,
    googleCloudProject: undefined,
    namespace,
    modelSource,
    apiKeysSecret: access.apiKeysSecret,
    iap: access.iap,
  };
  const objects: string[] = [];
  await replaceDirAtomically(out, async (temp) => {
    try {
      const app = buildApp(config, { outdir: temp }, { dir, name, candidate });
      for (const chart of app.charts) {
        for (const o of chart.toJson()) objects.push(`${o.kind}/${o.metadata?.name}`);
      }
      app.synth();
    } catch (error) {
      throw chartError(error, {
        name,
        fromFlag: nameFlag !== undefined,
        modelName: schema.model.name,
        dir,
      });
    }
  });
  const file = `${relative(io.cwd, out) || '.'}/${env}.k8s.yaml`;
  io.err(
    `wrote ${file}: ${objects.length} objects for ${schema.model.name} ${schema.model.version}`,
  );
  for (const object of objects) io.out(object);
  for (const step of accessSteps(access, namespace)) io.err(step);
  io.err(`apply with: kubectl apply -f ${relative(io.cwd, out) || '.'}/`);
  if (modelSource !== undefined) {
    // The pods read the bucket as their Kubernetes service account, named after the workload.
    const projectId = artifactRegistryProject(image) ?? '$PROJECT_ID';
    io.err(
      `let the pods read gs://${modelSource.bucket} (service account ${name}, namespace ${namespace ?? 'default: no --namespace given, use the one you apply to'}):`,
    );
    io.err(
      bucketReaderBinding({
        bucket: modelSource.bucket,
        projectId,
        projectNumber: `$(gcloud projects describe ${projectId} --format='value(projectNumber)')`,
        namespace: namespace ?? 'default',
        serviceAccount: name,
      }),
    );
  }
  return 0;
}

/** The chart's refusal as the user's error: which flag or schema key to change. */
function chartError(
  error: unknown,
  context: { name: string; fromFlag: boolean; modelName: string; dir: string },
): Error {
  const message = error instanceof Error ? error.message : String(error);
  // @modelship/k8s names the prop first: 'name' ("…") must be …
  if (error instanceof Error && error.name === 'InvalidPropError') {
    if (message.startsWith("'name' ")) {
      return context.fromFlag
        ? usageError(`--name ${context.name}: the chart refuses it: ${message}`)
        : failure(
            `${context.dir}/schema.json: model.name ${JSON.stringify(context.modelName)} gives the workload name "${context.name}", which the chart refuses (${message}): pass --name NAME`,
          );
    }
    if (message.startsWith("'image' ")) return usageError(`--image: ${message}`);
    if (message.startsWith("'appVersion' ")) {
      return failure(
        `${context.dir}/schema.json: model.version is not a valid label value (${message}): use letters, digits, '-', '_' and '.'`,
      );
    }
  }
  return failure(`the chart refuses these values: ${message}`);
}

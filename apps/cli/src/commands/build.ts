import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MODEL_FILE, SCHEMA_FILE } from '@modelship/inference';
import { parseImageReference } from '@modelship/k8s';
import { defineCommand } from '../args.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure, usageError } from '../errors.ts';
import { modelSideFiles } from '../infer/external-data.ts';
import { inferenceCheckout } from '../inference-checkout.ts';
import { type CommandIo, onPath, resolvePath } from '../io.ts';

/** The engines `build` drives; both take the same build command line. */
const ENGINES = ['docker', 'podman'] as const;
type Engine = (typeof ENGINES)[number];

/** The files of a model directory that go into the image. */
const MODEL_FILES = [MODEL_FILE, SCHEMA_FILE] as const;
const OPTIONAL_MODEL_FILES = ['model-card.md'] as const;

const git = (workspaceRoot: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

/**
 * The build arguments and labels of apps/inference/image/podman-build.sh (the same values give
 * the same cached layers): the service's version, the commit, the source, and for podman the
 * machine's extra CA bundle (a TLS-intercepting proxy) mounted read-only for the build only.
 */
function buildArgs(engine: Engine, inferenceDir: string): string[] {
  const workspaceRoot = join(inferenceDir, '..', '..');
  const version = (
    JSON.parse(readFileSync(join(inferenceDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const revision = process.env.REVISION ?? git(workspaceRoot, 'rev-parse', 'HEAD') ?? 'unknown';
  const source = git(workspaceRoot, 'remote', 'get-url', 'origin');
  const oci = 'org.opencontainers.image';
  const args = [
    ...['--build-arg', `VERSION=${version}`, '--build-arg', `REVISION=${revision}`],
    ...(source ? ['--build-arg', `SOURCE=${source}`] : []),
    // Labels are set on commit, never taken from a cached layer.
    ...['--label', `${oci}.version=${version}`, '--label', `${oci}.revision=${revision}`],
    ...(source ? ['--label', `${oci}.source=${source}`] : []),
  ];
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (engine === 'podman' && ca && existsSync(ca)) {
    args.push('--volume', `${ca}:/tmp/extra-ca.crt:ro`);
    args.push('--build-arg', 'NODE_EXTRA_CA_CERTS=/tmp/extra-ca.crt');
  }
  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  const url = registry.status === 0 ? registry.stdout.trim() : '';
  if (url && url.replace(/\/$/, '') !== 'https://registry.npmjs.org') {
    args.push('--build-arg', `npm_config_registry=${url}`);
  }
  return args;
}

/** Runs the engine, its output going to the command's progress stream; resolves its exit code. */
function runEngine(
  engine: Engine,
  args: readonly string[],
  cwd: string,
  io: CommandIo,
): Promise<number> {
  io.err(`$ ${engine} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(engine, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const forward = (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) io.err(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) io.err(pending);
      resolve(code ?? 1);
    });
  });
}

/** `modelship build`. */
export const buildCommand = defineCommand({
  name: 'build',
  summary: "the service's image with the model inside",
  args: ['DIR'],
  flags: {
    image: {
      type: 'string',
      value: 'IMAGE',
      required: true,
      help: 'the image to tag, NAME:TAG (e.g. REGION-docker.pkg.dev/PROJECT/REPO/churn:1.0.0)',
    },
    engine: {
      type: 'string',
      value: 'ENGINE',
      choices: ENGINES,
      help: 'the image builder, by default docker if installed, else podman',
    },
    push: { type: 'boolean', help: 'push IMAGE once it is built (log in to its registry first)' },
  },
  description: `Builds the inference service's image with the model directory DIR inside, from the service's
own Dockerfile (apps/inference/Dockerfile, with this repository as the build context). DIR
replaces the Dockerfile's \`model\` stage (the bundled model) as a named build context, so
every other layer is the bundled image's and a second model builds in seconds. DIR is checked
as the server would load it first; only model.onnx (and its weights' side files, if any),
schema.json and model-card.md go in.
The image serves the model by default (no MODEL_DIR needed); its labels name it.`,
  examples: [
    'modelship build models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 --push',
  ],
  async run({ positionals: [dirArg], values: { image, engine: engineFlag, push } }, io) {
    const reference = parseImageReference(image);
    if (!reference || reference.tag === undefined || reference.digest !== undefined) {
      throw usageError(
        `--image ${image}: must be an image name with a tag, NAME:TAG (e.g. us-central1-docker.pkg.dev/PROJECT/REPO/churn:1.0.0)`,
      );
    }
    const engine = engineFlag ?? (onPath('docker') ? 'docker' : 'podman');
    if (!onPath(engine)) {
      throw failure(
        `${engine} is not installed${engineFlag ? '' : ' (nor docker)'}: install docker or podman, or choose one with --engine`,
      );
    }
    // The service's Dockerfile, with the repository root as the build context.
    const inferenceDir = inferenceCheckout('build');
    const workspaceRoot = join(inferenceDir, '..', '..');
    const dir = resolvePath(io, dirArg);
    const diagnosis = await diagnoseModelDir(dir);
    if (!diagnosis.ok) throw failure(formatProblems(dir, diagnosis.problems));
    const { identity } = diagnosis.model;
    await diagnosis.model.release();

    // Only the model's files, readable by the image's user (1000) whatever their mode here.
    const context = await mkdtemp(join(tmpdir(), 'modelship-build-'));
    try {
      await chmod(context, 0o755);
      const files = [
        ...MODEL_FILES,
        ...OPTIONAL_MODEL_FILES.filter((file) => existsSync(join(dir, file))),
        ...(await modelSideFiles(dir)),
      ];
      for (const file of files) {
        await mkdir(dirname(join(context, file)), { recursive: true });
        await copyFile(join(dir, file), join(context, file));
        await chmod(join(context, file), 0o644);
      }
      const model = 'io.modelship.model';
      const build = [
        'build',
        '--file',
        join(inferenceDir, 'Dockerfile'),
        '--tag',
        image,
        '--build-context',
        `model=${context}`,
        ...buildArgs(engine, inferenceDir),
        '--label',
        `org.opencontainers.image.description=Hono + onnxruntime-node inference service with the model ${identity.name} ${identity.version}`,
        ...['--label', `${model}.name=${identity.name}`],
        ...['--label', `${model}.version=${identity.version}`],
        ...['--label', `${model}.fingerprint=${identity.fingerprint}`],
        workspaceRoot,
      ];
      io.err(`building ${image} with ${identity.name} ${identity.version} (${files.join(', ')})`);
      const code = await runEngine(engine, build, workspaceRoot, io);
      if (code !== 0) throw failure(`${engine} build failed (exit ${code}); its output is above`);
      if (push) {
        const pushed = await runEngine(engine, ['push', image], workspaceRoot, io);
        if (pushed !== 0) {
          throw failure(
            `${engine} push ${image} failed (exit ${pushed}); the image is built: log in to its registry (${engine} login), then ${engine} push ${image}`,
          );
        }
      }
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    io.out(image);
    return 0;
  },
});

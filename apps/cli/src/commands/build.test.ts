// `modelship build`'s command line, with a stand-in engine on PATH that records what it is
// asked and snapshots the build context (podman itself builds the runtime image, layers a
// model onto it and runs it in apps/inference/image/*.image-test.ts, `pnpm test:image`). The
// runtime image built from the package when none is named: build/from-package.test.ts here,
// and from the installed package in pack.test.ts (in process, this command runs from source).
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel, runtimeImage } from '@modelship/inference';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runtimeSource } from '../build/runtime-source.ts';
import { ENGINE_STUB, INIT_FILES, run, standInTools } from '../testing.ts';

/** One call of the stand-in engine: its arguments and a copy of the model's build context. */
interface Call {
  readonly argv: string[];
  readonly context?: string;
}

let stubDir: string;
let log: string;
let modelDir: string;
const image = 'europe-west1-docker.pkg.dev/acme/models/churn:1.0.0';
const base = 'localhost/modelship-inference:test';

const calls = async (): Promise<Call[]> =>
  existsSync(log)
    ? (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Call)
    : [];

const flag = (argv: readonly string[], name: string) =>
  argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []));

beforeAll(async () => {
  ({ dir: stubDir, modelDir } = await standInTools('modelship-build-test-', {
    podman: ENGINE_STUB,
  }));
  process.env.STUB_DIR = stubDir;
  // A private file in the user's directory must still be readable in the image.
  await chmod(join(modelDir, 'schema.json'), 0o600);
  await writeFile(join(modelDir, 'train.csv'), 'not for the image\n');
});

beforeEach(async () => {
  const id = Math.random().toString(36).slice(2);
  log = join(stubDir, `calls-${id}.jsonl`);
  process.env.STUB_LOG = log;
  process.env.STUB_IMAGES = join(stubDir, `images-${id}`);
  delete process.env.STUB_FAIL;
});

describe('modelship build', () => {
  it('builds a context of the model files and a Dockerfile FROM the runtime image, then pushes', async () => {
    const result = await run([
      ...['build', modelDir, '--image', image, '--base', base, '--engine', 'podman', '--push'],
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toBe(image);
    expect(result.err).toMatch(/STEP 1\/2: stand-in build/);
    const [build, push, ...rest] = await calls();
    expect(rest).toEqual([]);
    expect(push?.argv).toEqual(['push', image]);

    const argv = build?.argv ?? [];
    expect(argv.slice(0, 3)).toEqual(['build', '--tag', image]);
    // the temporary context is gone; its snapshot holds the Dockerfile and the model's files
    expect(existsSync(argv.at(-1) as string)).toBe(false);
    const snapshot = build?.context as string;
    expect((await readdir(snapshot)).sort()).toEqual(['Dockerfile', 'model']);
    expect((await readdir(join(snapshot, 'model'))).sort()).toEqual([
      'model-card.md',
      'model.onnx',
      'schema.json',
    ]);
    for (const file of await readdir(join(snapshot, 'model'))) {
      const copy = join(snapshot, 'model', file);
      expect(await readFile(copy)).toEqual(await readFile(join(modelDir, file)));
      expect((await stat(copy)).mode & 0o777).toBe(0o644);
    }

    const dockerfile = await readFile(join(snapshot, 'Dockerfile'), 'utf8');
    const model = await loadModel({ dir: modelDir });
    const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(instructions.slice(0, 3)).toEqual([
      `FROM ${base}`,
      'COPY model/ /model/',
      'ENV MODEL_DIR=/model',
    ]);
    expect(dockerfile).toContain('io.modelship.model.name="churn"');
    expect(dockerfile).toContain(`io.modelship.model.version="${model.identity.version}"`);
    expect(dockerfile).toContain(`io.modelship.model.fingerprint="${model.identity.fingerprint}"`);
    await model.release();
  });

  it('layers the model onto --base, with profile.json when the directory has one', async () => {
    // initialised with its training data: model.onnx, schema.json, profile.json, the card
    const fixture = foreignFixtureDir(foreignFixtures.churnBinary);
    const profiled = join(stubDir, 'churn-profiled');
    const init = await run([
      ...['init', join(fixture, 'model.onnx'), '--data', join(fixture, 'data.csv')],
      ...['--target', 'churn', '--name', 'churn', '--out', profiled],
    ]);
    expect(init.code, init.err).toBe(0);
    const result = await run([
      ...['build', profiled, '--image', image, '--base', base, '--engine', 'podman'],
      ...['--platform', 'linux/arm64'],
    ]);
    expect(result.code, result.err).toBe(0);
    const [build] = await calls();
    expect(build?.argv.slice(0, 5)).toEqual(['build', '--tag', image, '--platform', 'linux/arm64']);
    const snapshot = build?.context as string;
    expect(await readFile(join(snapshot, 'Dockerfile'), 'utf8')).toMatch(
      new RegExp(`^FROM ${base}$`, 'm'),
    );
    expect((await readdir(join(snapshot, 'model'))).sort()).toEqual([...INIT_FILES]);
  });

  it('--from-source builds the runtime image from this checkout first, then layers the model onto it', async () => {
    const result = await run([
      ...['build', modelDir, '--image', image, '--engine', 'podman', '--from-source'],
      ...['--platform', 'linux/arm64'],
    ]);
    expect(result.code, result.err).toBe(0);
    const [runtime, model, ...rest] = await calls();
    expect(rest).toEqual([]);
    const argv = runtime?.argv ?? [];
    const root = argv.at(-1) as string;
    expect(existsSync(join(root, 'pnpm-workspace.yaml'))).toBe(true);
    expect(flag(argv, '--file')).toEqual([join(root, 'apps/inference/Dockerfile')]);
    const tag = `localhost/modelship-inference:${runtimeImage.version}-source`;
    expect(flag(argv, '--tag')).toEqual([tag]);
    // both images for the platform asked for
    expect(flag(argv, '--platform')).toEqual(['linux/arm64']);
    expect(flag(model?.argv ?? [], '--platform')).toEqual(['linux/arm64']);
    expect(flag(argv, '--build-arg')).toContain(`VERSION=${runtimeImage.version}`);
    const dockerfile = await readFile(join(model?.context as string, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^FROM ${tag}$`, 'm'));
  });

  it('says so when neither docker nor podman is installed, and writes nothing', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(stubDir, 'no-tools');
    try {
      const result = await run(['build', modelDir, '--image', image]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(
        /podman is not installed \(nor docker\): install docker or podman/,
      );
      expect(result.out).toBe('');
    } finally {
      process.env.PATH = path;
    }
    expect(await calls()).toEqual([]);
  });

  it('does not push unless asked, nor ask for a platform', async () => {
    const result = await run([
      'build',
      modelDir,
      '--image',
      image,
      '--base',
      base,
      '--engine',
      'podman',
    ]);
    expect(result.code).toBe(0);
    expect((await calls()).map((c) => c.argv)).toEqual([
      ['build', '--tag', image, expect.stringMatching(/modelship-build-/)],
    ]);
  });

  it('fails with exit 1 when the engine fails, and pushes nothing', async () => {
    process.env.STUB_FAIL = 'build';
    const result = await run([
      ...['build', modelDir, '--image', image, '--base', base, '--engine', 'podman', '--push'],
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /modelship build: podman build failed \(exit 3\); its output is above/,
    );
    // what to do when the runtime image could not be pulled
    expect(result.err).toContain(
      `The runtime image ${base} must be local or pullable: podman pull ${base}, or choose one with --base REF (or --from-package)`,
    );
    expect(result.out).toBe('');
    expect((await calls()).map((c) => c.argv[0])).toEqual(['build']);
  });

  it("layers onto this release's runtime image once published, else onto one built from the package", () => {
    const flags = { fromSource: false, fromPackage: false };
    const unpublished = {
      repository: 'ghcr.io/x/inference',
      version: '1.2.3',
      reference: 'ghcr.io/x/inference:1.2.3',
    };
    const published = {
      ...unpublished,
      digest: 'sha256:ab',
      reference: 'ghcr.io/x/inference:1.2.3@sha256:ab',
    };
    expect(runtimeSource(flags, published)).toEqual({
      kind: 'reference',
      reference: published.reference,
    });
    expect(runtimeSource(flags, unpublished)).toEqual({
      kind: 'package',
      why: "this release's runtime image (ghcr.io/x/inference:1.2.3) is not published; building it",
    });
    expect(runtimeSource({ ...flags, fromPackage: true }, published)).toEqual({
      kind: 'package',
      why: '--from-package: building the runtime image',
    });
    expect(runtimeSource({ ...flags, base }, unpublished)).toEqual({
      kind: 'reference',
      reference: base,
    });
    expect(runtimeSource({ ...flags, fromSource: true }, published)).toEqual({ kind: 'source' });
    // this release's, until one is published
    expect(runtimeSource(flags, runtimeImage).kind).toBe(
      runtimeImage.digest ? 'reference' : 'package',
    );
  });

  it('says how to push by hand when the push fails', async () => {
    process.env.STUB_FAIL = 'push';
    const result = await run([
      ...['build', modelDir, '--image', image, '--base', base, '--engine', 'podman', '--push'],
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /podman push .* failed \(exit 3\); the image is built: log in to its registry \(podman login\), then podman push /,
    );
  });

  it.each([
    ['no --image', () => [modelDir, '--engine', 'podman'], 2, /--image IMAGE is required/],
    [
      'an image without a tag',
      () => [modelDir, '--image', 'localhost/churn', '--engine', 'podman'],
      2,
      /--image localhost\/churn: must be an image name with a tag, NAME:TAG/,
    ],
    [
      'an unknown engine',
      () => [modelDir, '--image', image, '--engine', 'kaniko'],
      2,
      /--engine kaniko: must be one of docker, podman/,
    ],
    [
      'an invalid --base',
      () => [modelDir, '--image', image, '--base', 'Not A Ref', '--engine', 'podman'],
      2,
      /--base Not A Ref: must be an image reference/,
    ],
    [
      '--base with --from-source',
      () => [modelDir, '--image', image, '--base', 'localhost/x:1', '--from-source'],
      2,
      /--base and --from-source exclude each other/,
    ],
    [
      '--from-package with --base',
      () => [modelDir, '--image', image, '--base', 'localhost/x:1', '--from-package'],
      2,
      /--base and --from-package exclude each other: choose one runtime image/,
    ],
    [
      '--from-package with --from-source',
      () => [modelDir, '--image', image, '--from-source', '--from-package'],
      2,
      /--from-source and --from-package exclude each other/,
    ],
    [
      'an unknown platform',
      () => [modelDir, '--image', image, '--platform', 'windows/amd64', '--engine', 'podman'],
      2,
      /--platform windows\/amd64: must be one of linux\/amd64, linux\/arm64/,
    ],
    [
      'a missing directory',
      () => [join(stubDir, 'nowhere'), '--image', image, '--engine', 'podman'],
      1,
      /nowhere: no such directory/,
    ],
    [
      'an unknown flag',
      () => [modelDir, '--image', image, '--tag', 'x', '--engine', 'podman'],
      2,
      /Unknown option '--tag'/,
    ],
  ])(
    '%s: a clear message, exit %s, the engine never called',
    async (_what, args, code, message) => {
      const result = await run(['build', ...args()]);
      expect(result.err).toMatch(message);
      expect(result.code).toBe(code);
      expect(await calls()).toEqual([]);
    },
  );
});

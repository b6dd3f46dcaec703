// The user path with podman: @modelship/cli packed and installed with npm into an empty
// directory outside the workspace (HOME, TMPDIR and npm prefix of its own), then the installed
// `modelship init` on a model PyTorch exported (weights in a side file) and `modelship build
// --engine podman`: with --base, the runtime image built from this Dockerfile; without, as a
// user without a checkout runs it, the runtime image the command builds from the installed
// package (this release's is not published) FROM the distroless base's stand-in, once for every
// model. A model image must be its runtime's layers plus exactly one layer holding only the
// model's files, and serve the framework's own predictions. Every command runs in the user's
// directory: no file of this repository is read by them.
import { type ExecFileSyncOptions, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exporterExpected,
  exporterFixtureDir,
  exporterFixtures,
  exporterInitArgs,
} from '@modelship/feature-schema/test-fixtures/exporters.ts';
import { installPacked, type PackedInstall } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeImage } from '../src/runtime-image.ts';
import { exec } from './lib/exec.ts';
import { freePort } from './lib/http.ts';
import { imageConfig, imageFiles, imageLayers, imageSize, startContainer } from './lib/podman.ts';
import { assertMet, shouldRun, unmet } from './lib/requirements.ts';
import { buildRuntimeImage, buildStandIns, runtimeTestImage } from './lib/runtime-build.ts';
import { dockerfileBaseImages, serviceVersion, workspaceRoot } from './lib/workspace.ts';

const suite = 'the model image test (installed modelship build, podman)';
const FIXTURE = exporterFixtures.torchWineLabelProbabilitiesDynamo;
/** Another user's model, for the runtime image built from the package a second time. */
const SECOND = exporterFixtures.lightgbmDiabetes;
const modelImage = 'localhost/modelship-wine:image-test';
const packageImage = 'localhost/modelship-wine:image-test-package';
const secondImage = 'localhost/modelship-diabetes:image-test-package';
const container = `modelship-wine-image-test-${process.pid}`;
const minutes = 60_000;

const missing = unmet(
  ['podman', 'runc', 'debootstrap', 'apt-get', 'dpkg-deb', 'npm', 'pnpm', 'tar', 'git'],
  { root: true },
);

describe.runIf(shouldRun(suite, missing))('a model image built by the installed command', () => {
  const expected = exporterExpected(FIXTURE);
  let installed: PackedInstall;
  /** The user's project: the exported model and its data. */
  let project: string;
  /** The installed `modelship`, run in the project with the user's environment. */
  const modelship = (args: string[], options: ExecFileSyncOptions = {}) =>
    execFileSync(join(installed.bin, 'modelship'), args, {
      cwd: project,
      // podman builds with chroot isolation on this kind of machine (ENVIRONMENT.md)
      env: installed.env({ BUILDAH_ISOLATION: 'chroot' }),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 5 * minutes,
      ...options,
    }) as string;

  /** `modelship` as above, with its progress (stderr) and exit status. */
  const modelshipRun = (args: string[]) =>
    spawnSync(join(installed.bin, 'modelship'), args, {
      cwd: project,
      env: installed.env({ BUILDAH_ISOLATION: 'chroot' }),
      encoding: 'utf8',
      timeout: 5 * minutes,
    });

  /** The build contexts `modelship build` left in its TMPDIR (podman keeps its own logs there). */
  const buildContexts = async () =>
    (await readdir(installed.tmp)).filter((name) => /^modelship-(build|runtime)-/.test(name));

  const mb = (n: number) => `${(n / 1e6).toFixed(3)} MB`;

  // Each image's file list is read once (an export of ~200 MB): no test changes an image.
  const listed = new Map<string, Promise<string[]>>();
  const filesIn = (image: string) => {
    if (!listed.has(image)) listed.set(image, imageFiles(image));
    return listed.get(image) as Promise<string[]>;
  };

  /**
   * `image` is `runtime`'s layers plus exactly one, of the files of the model directory `dir`
   * at /model and nothing else; logs the sizes.
   */
  async function expectOneModelLayer(image: string, runtime: string, dir: string, seconds: number) {
    const [runtimeLayers, layers] = [await imageLayers(runtime), await imageLayers(image)];
    expect(layers.slice(0, -1)).toEqual(runtimeLayers);
    expect(layers).toHaveLength(runtimeLayers.length + 1);

    // The new layer is /model with the model directory's files, nothing else anywhere.
    const files = (await readdir(dir)).sort();
    const inImage = new Set(await filesIn(image));
    const inRuntime = new Set(await filesIn(runtime));
    expect([...inImage].filter((p) => !inRuntime.has(p)).sort()).toEqual([
      'model',
      ...files.map((f) => `model/${f}`),
    ]);
    let bytes = 0;
    for (const file of files) bytes += (await stat(join(dir, file))).size;
    const [runtimeSize, modelSize] = [await imageSize(runtime), await imageSize(image)];
    const layer = modelSize.layers[0];
    console.log(
      [
        `image ${image}: ${mb(modelSize.size)} = runtime ${mb(runtimeSize.size)} + model layer ${mb(layer?.size ?? 0)} (files: ${mb(bytes)}; built in ${seconds.toFixed(1)} s)`,
        ...modelSize.layers.map((l) => `  ${mb(l.size).padStart(11)}  ${l.createdBy.slice(0, 90)}`),
      ].join('\n'),
    );
    expect(layer?.createdBy).toMatch(/COPY .* in \/model\/? *$/);
    expect(layer?.size).toBeGreaterThanOrEqual(bytes);
    expect(layer?.size).toBeLessThan(bytes + 64 * 1024);
    // the image grows by that layer (and its slightly larger config), nothing else
    expect(modelSize.size - runtimeSize.size - (layer?.size ?? 0)).toBeLessThan(16 * 1024);
    expect((await imageConfig(image)).Env).toContain('MODEL_DIR=/model');
  }

  /** A container of `image` answers /predict with PyTorch's own labels and probabilities. */
  async function expectServes(image: string) {
    const port = await freePort();
    await startContainer(container, image, port);
    const res = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: expected.records }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      predictions: unknown[];
      probabilities: Record<string, number>[];
      model: { name: string };
    };
    expect(body.model.name).toBe('wine');
    expect(body.predictions).toEqual(expected.labels);
    const classes = (expected.classes ?? []).map(String);
    const probabilities = body.probabilities.map((p) => classes.map((c) => p[c]));
    probabilities.forEach((row, i) => {
      row.forEach((p, j) => {
        expect(Math.abs((p as number) - (expected.probabilities?.[i]?.[j] as number))).toBeLessThan(
          1e-5,
        );
      });
    });
    await exec('podman', ['rm', '--force', container]);
  }

  beforeAll(async () => {
    assertMet(suite, missing);
    await buildStandIns();
    await buildRuntimeImage();
    installed = await installPacked(join(workspaceRoot, 'apps/cli'), '@modelship/cli');
    project = join(installed.home, 'wine');
    await mkdir(project);
    for (const file of ['model.onnx', 'model.onnx.data', 'data.csv']) {
      await cp(join(exporterFixtureDir(FIXTURE), file), join(project, file));
    }
    modelship([...exporterInitArgs(expected), '--name', 'wine', '--out', 'model']);
    await mkdir(join(project, 'diabetes'));
    for (const file of ['model.onnx', 'data.csv']) {
      await cp(join(exporterFixtureDir(SECOND), file), join(project, 'diabetes', file));
    }
    const second = exporterExpected(SECOND);
    const [model, data] = ['diabetes/model.onnx', 'diabetes/data.csv'];
    modelship([
      ...exporterInitArgs(second, model, data),
      '--name',
      'diabetes',
      '--out',
      'diabetes/model',
    ]);
  }, 40 * minutes);

  afterAll(async () => {
    await exec('podman', ['rm', '--force', '--ignore', container]);
    await installed?.remove();
  });

  it(
    "builds FROM the runtime image: its layers plus exactly one, of the model's files only",
    async () => {
      const started = performance.now();
      const out = modelship([
        'build',
        'model',
        '--image',
        modelImage,
        '--engine',
        'podman',
        '--base',
        runtimeTestImage,
      ]);
      const seconds = (performance.now() - started) / 1000;
      expect(out.trim()).toBe(modelImage);

      await expectOneModelLayer(modelImage, runtimeTestImage, join(project, 'model'), seconds);

      const config = await imageConfig(modelImage);
      const schema = JSON.parse(await readFile(join(project, 'model/schema.json'), 'utf8'));
      expect(config.Labels).toMatchObject({
        'io.modelship.model.name': 'wine',
        'io.modelship.model.version': schema.model.version,
        'org.opencontainers.image.base.name': runtimeTestImage,
        // inherited from the runtime image
        'org.opencontainers.image.version': serviceVersion,
      });
      expect(modelship(['check', 'model'])).toContain(
        `fingerprint ${config.Labels?.['io.modelship.model.fingerprint']}`,
      );
      expect({ user: config.User, entrypoint: config.Entrypoint }).toEqual({
        user: '1000:1000',
        entrypoint: ['/nodejs/bin/node', 'dist/server.js'],
      });
      // the build context was temporary
      expect(await buildContexts()).toEqual([]);
    },
    10 * minutes,
  );

  it(
    "serves the model by default: PyTorch's own labels and probabilities for its 64 rows",
    () => expectServes(modelImage),
    5 * minutes,
  );

  it(
    'fails naming --base when the runtime image is neither local nor pullable, and leaves nothing',
    async () => {
      const absent = 'localhost/modelship-no-such-runtime:0.0.0';
      const failedImage = 'localhost/modelship-wine-unbuilt:image-test';
      let failure: { status: number; stderr: string } | undefined;
      try {
        modelship([
          'build',
          'model',
          '--image',
          failedImage,
          '--engine',
          'podman',
          '--base',
          absent,
        ]);
      } catch (error) {
        failure = error as { status: number; stderr: string };
      }
      expect(failure?.status).toBe(1);
      const message = failure?.stderr.trim().split('\n').at(-1) ?? '';
      expect(message).toMatch(/^modelship build: podman build failed/);
      expect(message).toContain(`The runtime image ${absent} must be local or pullable`);
      expect(message).toContain('--base');
      expect((await exec('podman', ['image', 'exists', failedImage])).code).toBe(1);
      expect(await buildContexts()).toEqual([]);
      expect(existsSync(join(project, 'model', 'Dockerfile'))).toBe(false);
    },
    5 * minutes,
  );

  /** The runtime image built from the package by the first build without --base. */
  let packageRuntime = '';

  it(
    'without --base builds the runtime image from the installed package, laid out as the Dockerfile lays it out, then the model layer on it',
    async () => {
      // no runtime image of an earlier run: this build must make it
      const earlier = await exec('podman', [
        ...['images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/modelship-runtime'],
      ]);
      for (const tag of earlier.stdout.split('\n').filter(Boolean)) {
        await exec('podman', ['untag', tag, tag]);
      }
      const started = performance.now();
      const build = modelshipRun(['build', 'model', '--image', packageImage, '--engine', 'podman']);
      const seconds = (performance.now() - started) / 1000;
      expect(build.status, build.stderr).toBe(0);
      expect(build.stdout.trim()).toBe(packageImage);
      packageRuntime = /from the installed package as (\S+)$/m.exec(build.stderr)?.[1] ?? '';
      expect(build.stderr).toContain(
        `this release's runtime image (${runtimeImage.reference}) is not published; building it from the installed package as ${packageRuntime}`,
      );
      expect(packageRuntime).toMatch(
        new RegExp(`^localhost/modelship-runtime:${serviceVersion}-[0-9a-f]{12}$`),
      );

      // the runtime image: the distroless base's layers plus one, /app
      const base = dockerfileBaseImages().runtime;
      const [baseLayers, layers] = [await imageLayers(base), await imageLayers(packageRuntime)];
      expect(layers.slice(0, -1)).toEqual(baseLayers);
      expect(layers).toHaveLength(baseLayers.length + 1);
      // the same /app files, user, entrypoint and environment as the Dockerfile's runtime image
      const app = async (image: string) =>
        (await filesIn(image)).filter((p) => p.startsWith('app/')).sort();
      expect(await app(packageRuntime)).toEqual(await app(runtimeTestImage));
      const [fromPackage, fromDockerfile] = [
        await imageConfig(packageRuntime),
        await imageConfig(runtimeTestImage),
      ];
      const runs = (c: typeof fromPackage) => ({
        user: c.User,
        entrypoint: c.Entrypoint,
        cmd: c.Cmd,
        workdir: c.WorkingDir,
        env: c.Env,
        ports: c.ExposedPorts,
      });
      expect(runs(fromPackage)).toEqual(runs(fromDockerfile));
      expect(fromPackage.Labels?.['org.opencontainers.image.version']).toBe(serviceVersion);
      // the commit the package was built from: this checkout's, as the Dockerfile's image says
      const revision = 'org.opencontainers.image.revision';
      expect(fromPackage.Labels?.[revision]).toMatch(/^[0-9a-f]{40}$/);
      expect(fromPackage.Labels?.[revision]).toBe(fromDockerfile.Labels?.[revision]);
      const [pkgSize, dockerfileSize] = [
        await imageSize(packageRuntime),
        await imageSize(runtimeTestImage),
      ];
      console.log(
        `runtime image from the package ${packageRuntime}: ${mb(pkgSize.size)} (/app ${mb(pkgSize.layers[0]?.size ?? 0)}); from the Dockerfile: ${mb(dockerfileSize.size)} (/app ${mb(dockerfileSize.layers[0]?.size ?? 0)})`,
      );

      await expectOneModelLayer(packageImage, packageRuntime, join(project, 'model'), seconds);
      expect(await buildContexts()).toEqual([]);
    },
    10 * minutes,
  );

  it(
    'serves the model layered onto the runtime image from the package',
    () => expectServes(packageImage),
    5 * minutes,
  );

  it(
    'layers another model onto the same runtime image: found, not built again',
    async () => {
      expect(packageRuntime).not.toBe('');
      const [runtimeId] = (await imageLayers(packageRuntime)).slice(-1);
      const started = performance.now();
      const build = modelshipRun([
        ...['build', 'diabetes/model', '--image', secondImage, '--engine', 'podman'],
      ]);
      const seconds = (performance.now() - started) / 1000;
      expect(build.status, build.stderr).toBe(0);
      expect(build.stderr).toContain(
        `using the runtime image ${packageRuntime}, built from the installed package before`,
      );
      expect(build.stderr).not.toContain('building it from the installed package');
      expect((await imageLayers(packageRuntime)).slice(-1)).toEqual([runtimeId]);
      await expectOneModelLayer(
        secondImage,
        packageRuntime,
        join(project, 'diabetes/model'),
        seconds,
      );
    },
    10 * minutes,
  );
});

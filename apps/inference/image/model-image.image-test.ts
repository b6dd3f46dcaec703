// The user path with podman: @modelship/cli packed and installed with npm into an empty
// directory outside the workspace (HOME, TMPDIR and npm prefix of its own), then the installed
// `modelship init` on a model PyTorch exported (weights in a side file) and `modelship build
// --engine podman --base` the runtime image built from this Dockerfile (the published one cannot
// be pulled here). The model image must be the runtime's layers plus exactly one layer holding
// only the model's files, and serve the framework's own predictions. Every command runs in the
// user's directory: no file of this repository is read by them.
import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
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
import { exec } from './lib/exec.ts';
import { freePort } from './lib/http.ts';
import { imageConfig, imageFiles, imageLayers, imageSize, startContainer } from './lib/podman.ts';
import { assertMet, shouldRun, unmet } from './lib/requirements.ts';
import { buildRuntimeImage, buildStandIns, runtimeTestImage } from './lib/runtime-build.ts';
import { serviceVersion, workspaceRoot } from './lib/workspace.ts';

const suite = 'the model image test (installed modelship build, podman)';
const FIXTURE = exporterFixtures.torchWineLabelProbabilitiesDynamo;
const modelImage = 'localhost/modelship-wine:image-test';
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

  /** The build contexts `modelship build` left in its TMPDIR (podman keeps its own logs there). */
  const buildContexts = async () =>
    (await readdir(installed.tmp)).filter((name) => name.startsWith('modelship-build-'));

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

      const [runtime, model] = [await imageLayers(runtimeTestImage), await imageLayers(modelImage)];
      expect(model.slice(0, -1)).toEqual(runtime);
      expect(model).toHaveLength(runtime.length + 1);

      // The new layer is /model with the model directory's files, nothing else anywhere.
      const files = (await readdir(join(project, 'model'))).sort();
      const inImage = new Set(await imageFiles(modelImage));
      const inRuntime = new Set(await imageFiles(runtimeTestImage));
      expect([...inImage].filter((p) => !inRuntime.has(p)).sort()).toEqual([
        'model',
        ...files.map((f) => `model/${f}`),
      ]);
      let bytes = 0;
      for (const file of files) bytes += (await stat(join(project, 'model', file))).size;
      const [runtimeSize, modelSize] = [
        await imageSize(runtimeTestImage),
        await imageSize(modelImage),
      ];
      const layer = modelSize.layers[0];
      const mb = (n: number) => `${(n / 1e6).toFixed(3)} MB`;
      console.log(
        [
          `image ${modelImage}: ${mb(modelSize.size)} = runtime ${mb(runtimeSize.size)} + model layer ${mb(layer?.size ?? 0)} (files: ${mb(bytes)}; built in ${seconds.toFixed(1)} s)`,
          ...modelSize.layers.map(
            (l) => `  ${mb(l.size).padStart(11)}  ${l.createdBy.slice(0, 90)}`,
          ),
        ].join('\n'),
      );
      expect(layer?.createdBy).toMatch(/COPY .* in \/model\/? *$/);
      expect(layer?.size).toBeGreaterThanOrEqual(bytes);
      expect(layer?.size).toBeLessThan(bytes + 64 * 1024);
      // the image grows by that layer (and its slightly larger config), nothing else
      expect(modelSize.size - runtimeSize.size - (layer?.size ?? 0)).toBeLessThan(16 * 1024);

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
      expect(config.Env).toContain('MODEL_DIR=/model');
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
    async () => {
      const port = await freePort();
      await startContainer(container, modelImage, port);
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
          expect(
            Math.abs((p as number) - (expected.probabilities?.[i]?.[j] as number)),
          ).toBeLessThan(1e-5);
        });
      });
      await exec('podman', ['rm', '--force', container]);
    },
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
});

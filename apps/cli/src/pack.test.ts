// The command as a user installs it: `pnpm pack` (which bundles it), then `npm install --global`
// of the tarball into an empty directory outside the workspace, with its own HOME and npm cache,
// and the installed `modelship` run from there: the whole user path, from a model another
// framework exported to a served model and its manifests. One install shared by every case.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import {
  exporterExpected,
  exporterFixtureDir,
  exporterFixtures,
  exporterInitArgs,
} from '@modelship/feature-schema/test-fixtures/exporters.ts';
import { runtimeImage } from '@modelship/inference';
import { insuranceModelDir } from '@modelship/insurance-model';
import {
  allPolicyViolations,
  findUnknownFields,
  type KubeObject,
  validateObjects,
} from '@modelship/k8s/testing';
import { freePort, installPacked, type PackedInstall, waitForHttp } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENGINE_STUB, INIT_FILES } from './testing.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** PyTorch's default (dynamo) export, weights in a side file: a model as a user brings one. */
const FIXTURE = exporterFixtures.torchWineLabelProbabilitiesDynamo;
const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/wine:1.0.0';

describe('the packed command, installed with npm outside the workspace', () => {
  let installed: PackedInstall;
  let home: string;
  let bin: string;
  /** The user's project: the exported model and its data, where every command runs. */
  let project: string;
  const env = () => installed.env();
  const modelship = (...args: string[]) =>
    execFileSync(join(bin, 'modelship'), args, {
      cwd: project,
      env: env(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    installed = await installPacked(packageDir, '@modelship/cli');
    ({ home, bin } = installed);
    project = join(home, 'wine');
    await mkdir(project);
    const fixture = exporterFixtureDir(FIXTURE);
    for (const file of ['model.onnx', 'model.onnx.data', 'data.csv']) {
      await cp(join(fixture, file), join(project, file));
    }
    await cp(insuranceModelDir, join(project, 'insurance'), { recursive: true });
  }, 600_000);

  afterAll(() => installed?.remove());

  it('installs compiled JavaScript: the command, the service, and only npm dependencies', async () => {
    const dir = installed.packageDir;
    // LICENSE: pnpm pack adds the workspace's (Apache-2.0, as package.json declares).
    expect((await readdir(dir)).sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist',
      'node_modules',
      'package.json',
    ]);
    expect((await readdir(join(dir, 'dist'))).sort()).toEqual([
      'modelship.mjs',
      'runtime',
      'service',
    ]);
    // the service with the bundled model (the runtime image's default) and the Dockerfile's
    // runtime stage: what `build` makes the runtime image of when none is published
    expect((await readdir(join(dir, 'dist', 'service'))).sort()).toEqual([
      'model',
      'server.mjs',
      'static',
    ]);
    expect((await readdir(join(dir, 'dist', 'runtime'))).sort()).toEqual([
      'Dockerfile',
      'revision',
    ]);
    // the commit it was packed from (REVISION, else this checkout's), which that image is labelled with
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const revision = process.env.REVISION ?? head;
    expect(await readFile(join(dir, 'dist', 'runtime', 'revision'), 'utf8')).toBe(`${revision}\n`);
    // /docs' files are carried gzip-compressed, with swagger-ui's license (COPYING) and notice
    expect((await readdir(join(dir, 'dist', 'service', 'static', 'swagger-ui'))).sort()).toEqual([
      'COPYING',
      'NOTICE',
      'swagger-ui-bundle.js.gz',
      'swagger-ui.css.gz',
    ]);
    const dependencies = await readdir(join(dir, 'node_modules'));
    expect(dependencies).toContain('onnxruntime-node');
    expect(dependencies).not.toContain('tsx');
    expect(dependencies).not.toContain('@modelship');
  });

  it('installs no package that reports the install to a third party (swagger-ui-dist pulls in @scarf/scarf)', async () => {
    const tree = await readdir(join(installed.packageDir, 'node_modules'), { recursive: true });
    const names = tree.map((p) => p.split('/'));
    expect(names.filter((parts) => parts.includes('@scarf'))).toEqual([]);
    expect(names.filter((parts) => parts.includes('swagger-ui-dist'))).toEqual([]);
  });

  it('prints its help', () => {
    expect(modelship('--help')).toMatch(/^Usage: modelship <command>[\s\S]*\n {2}check DIR /);
  });

  it('checks the bundled model, a path relative to where it runs', () => {
    expect(modelship('check', 'insurance')).toMatch(/^ok: insurance-charges 1\.0\.0, regression/);
  });

  describe('the user path on a model PyTorch exported (init, check, serve, synth)', () => {
    const expected = exporterExpected(FIXTURE);

    beforeAll(() => {
      modelship(...exporterInitArgs(expected), '--out', 'model');
    }, 120_000);

    it('init writes a self-contained model directory that check accepts', async () => {
      expect((await readdir(join(project, 'model'))).sort()).toEqual([...INIT_FILES]);
      expect(modelship('check', 'model')).toMatch(/^ok: model 1\.0\.0, classification/);
    });

    it('stamp, profile, compare and publish run on it', () => {
      expect(modelship('stamp', 'model')).toMatch(/model\.onnx/);
      modelship('profile', 'model', '--data', 'data.csv');
      const comparison = JSON.parse(
        modelship('compare', 'model', 'model', '--data', 'data.csv', '--json'),
      );
      // A model against itself over every row of its data: all agree.
      const rows = readFileSync(join(project, 'data.csv'), 'utf8').trim().split('\n').length - 1;
      expect(comparison).toMatchObject({ task: 'classification', rows, agreement: 1 });
      // Without --run, publish prints the gcloud commands it would run.
      expect(modelship('publish', 'model', 'gs://acme-models/wine')).toMatch(
        /^gcloud storage cp .*gs:\/\/acme-models\/wine\/1\.0\.0\//m,
      );
    });

    describe('serve', () => {
      let child: ChildProcess | undefined;
      afterAll(() => {
        // The command and the service it started share a process group: end both on failure.
        if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      });

      it("answers /predict over HTTP with the framework's own labels, then stops on SIGTERM", async () => {
        const port = await freePort();
        child = spawn(join(bin, 'modelship'), ['serve', 'model', '--port', String(port)], {
          cwd: project,
          env: { ...env(), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'pipe'],
          detached: true,
        });
        const running = child;
        const exited = new Promise<number | null>((resolve) => running.on('exit', resolve));
        const base = `http://127.0.0.1:${port}`;
        await waitForHttp({
          url: `${base}/readyz`,
          intervalMs: 100,
          check: () => {
            if (running.exitCode !== null) throw new Error(`exited (${running.exitCode})`);
          },
        });
        const res = await fetch(`${base}/predict`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ instances: expected.records }),
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { predictions: unknown[] };
        expect(body.predictions).toEqual(expected.labels);
        // The web form and /docs (Swagger UI's files carried in the package) are served too.
        expect((await fetch(`${base}/`)).status).toBe(200);
        expect((await fetch(`${base}/docs`)).status).toBe(200);
        for (const [name, marker] of [
          ['swagger-ui-bundle.js', 'SwaggerUIBundle'],
          ['swagger-ui.css', '.swagger-ui'],
        ]) {
          const asset = await fetch(`${base}/docs/${name}`);
          expect(asset.status).toBe(200);
          expect(asset.headers.get('content-encoding')).toBe('gzip');
          expect(await asset.text()).toContain(marker);
        }
        running.kill('SIGTERM');
        expect(await exited).toBe(0);
      }, 90_000);
    });

    /** The objects of OUT/gke.k8s.yaml, checked against the Kubernetes schema and the pod policies. */
    async function synthesized(out: string): Promise<KubeObject[]> {
      expect(await readdir(join(project, out))).toEqual(['gke.k8s.yaml']);
      const text = await readFile(join(project, out, 'gke.k8s.yaml'), 'utf8');
      const objects = parseAllDocuments(text).map((doc) => doc.toJS() as KubeObject);
      expect(await validateObjects(objects)).toEqual([]);
      expect(
        allPolicyViolations(objects, [OPERATIONAL_ROUTES.health, OPERATIONAL_ROUTES.ready]),
      ).toEqual([]);
      return objects;
    }

    it('synth writes manifests that pass the Kubernetes schema and the pod policies', async () => {
      modelship('synth', 'model', '--image', IMAGE, '--namespace', 'models', '--out', 'manifests');
      // A candidate behind a Gateway, both models from Cloud Storage: every construct it bundles.
      modelship(
        'synth',
        'model',
        '--image',
        IMAGE,
        '--model-source',
        'gs://acme-models/wine',
        '--candidate',
        'model',
        '--candidate-image',
        IMAGE,
        '--out',
        'rollout',
      );
      const plain = await synthesized('manifests');
      const rollout = await synthesized('rollout');
      expect(plain.map((o) => o.kind)).toContain('Deployment');
      expect(rollout.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
        expect.arrayContaining(['Gateway/model', 'HTTPRoute/model', 'Deployment/model-candidate']),
      );
      // One TypeScript program for both (it takes seconds to build).
      expect(findUnknownFields([...plain, ...rollout])).toEqual([]);
    }, 90_000);

    // `build` layers the model onto this release's runtime image, which no release has
    // published yet: the installed command builds it from what the package carries, once.
    // Here a stand-in engine with a local image store records the calls and keeps the contexts;
    // podman builds and runs such images for real in
    // apps/inference/image/model-image.image-test.ts (pnpm test:image).
    it('build builds the runtime image from the package once, then layers each model onto it', async () => {
      const stub = join(home, 'stub');
      await mkdir(stub);
      await writeFile(join(stub, 'podman'), ENGINE_STUB);
      await chmod(join(stub, 'podman'), 0o755);
      const base = 'gcr.io/distroless/nodejs22-debian12:nonroot';
      const log = join(stub, 'calls.jsonl');
      const build = (image: string) =>
        spawnSync(
          join(bin, 'modelship'),
          ['build', 'model', '--image', image, '--engine', 'podman'],
          {
            cwd: project,
            env: {
              ...env(),
              PATH: `${stub}:${process.env.PATH}`,
              ...{ STUB_DIR: stub, STUB_LOG: log, STUB_IMAGES: join(stub, 'images') },
              STUB_PULLABLE: base,
            },
            encoding: 'utf8',
          },
        );
      const calls = async () =>
        (await readFile(log, 'utf8'))
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { argv: string[]; context?: string });

      const first = build(IMAGE);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout.trim()).toBe(IMAGE);
      const tag = /as (localhost\/modelship-runtime:\S+)$/m.exec(first.stderr)?.[1] as string;
      expect(first.stderr).toContain(
        `this release's runtime image (${runtimeImage.reference}) is not published; building it from the installed package as ${tag}`,
      );
      expect(tag).toMatch(
        new RegExp(`^localhost/modelship-runtime:${runtimeImage.version}-[0-9a-f]{12}$`),
      );
      const [, , pull, runtime, model, ...rest] = await calls();
      expect(rest).toEqual([]);
      expect(pull?.argv).toEqual(['pull', '--platform', 'linux/amd64', base]);
      expect(runtime?.argv.slice(0, 5)).toEqual([
        'build',
        '--tag',
        tag,
        '--platform',
        'linux/amd64',
      ]);
      // the runtime's context: the package's service and model as /app, linux/x64's binding only
      const app = join(runtime?.context as string, 'app');
      expect((await readdir(join(app, 'dist'))).sort()).toEqual(['model', 'server.js', 'static']);
      expect(await readFile(join(app, 'dist', 'server.js'))).toEqual(
        await readFile(join(installed.packageDir, 'dist', 'service', 'server.mjs')),
      );
      expect(
        await readdir(join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6')),
      ).toEqual(['linux']);
      expect(
        await readdir(join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux')),
      ).toEqual(['x64']);
      expect(await readFile(join(runtime?.context as string, 'Dockerfile'), 'utf8')).toMatch(
        new RegExp(`^FROM ${base}$`, 'm'),
      );
      // the model's context: FROM that runtime image, with the model directory's files
      expect(model?.argv.slice(0, 5)).toEqual([
        'build',
        '--tag',
        IMAGE,
        '--platform',
        'linux/amd64',
      ]);
      const dockerfile = await readFile(join(model?.context as string, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(new RegExp(`^FROM ${tag}$`, 'm'));
      const files = (await readdir(join(model?.context as string, 'model'))).sort();
      expect(files).toEqual([...INIT_FILES]);
      for (const file of files) {
        expect(await readFile(join(model?.context as string, 'model', file))).toEqual(
          await readFile(join(project, 'model', file)),
        );
      }

      // another model: the same runtime image, found in the engine's store, not built again
      const second = build(`${IMAGE}-2`);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stderr).toContain(
        `using the runtime image ${tag}, built from the installed package before`,
      );
      expect((await calls()).slice(5).map((c) => c.argv.slice(0, 3))).toEqual([
        ['image', 'inspect', '--format'],
        ['build', '--tag', `${IMAGE}-2`],
      ]);
      // the contexts were temporary
      expect((await readdir(installed.tmp)).filter((f) => f.startsWith('modelship-'))).toEqual([]);
    });

    it('build --from-source says it needs a checkout', () => {
      let err = '';
      try {
        modelship('build', 'model', '--image', IMAGE, '--engine', 'podman', '--from-source');
        expect.fail('build --from-source succeeded outside a checkout');
      } catch (error) {
        const failed = error as { status: number; stderr: string };
        expect(failed.status).toBe(1);
        err = failed.stderr;
      }
      expect(err).toMatch(/checkout/);
    });
  });
});

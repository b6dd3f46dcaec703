// The runtime image, built and run for real: local stand-ins for the Dockerfile's base images
// (no registry is reachable), `podman build` of the unmodified Dockerfile, then the image's
// metadata, contents and size, and a container (read-only root) that must start as
// 1000:1000, become ready, predict exactly like the local service and exit 0 on SIGTERM.
// A model layered onto it by the installed command: model-image.image-test.ts.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenContents, isTrainingData } from './lib/contents.ts';
import { exec, execOk } from './lib/exec.ts';
import { freePort, predictEach, sampleRecords, waitUntilReady } from './lib/http.ts';
import { startNodeService } from './lib/node-service.ts';
import {
  containerPid,
  imageConfig,
  imageFiles,
  imageSize,
  runFlags,
  waitForExit,
} from './lib/podman.ts';
import { assertMet, shouldRun, unmet } from './lib/requirements.ts';
import { buildRuntimeImage, runtimeTestImage } from './lib/runtime-build.ts';
import { appDir, dockerfileBaseImages, serviceVersion } from './lib/workspace.ts';

const suite = 'the container image test';
const image = runtimeTestImage;
const container = `modelship-image-test-${process.pid}`;
const minutes = 60_000;

const missing = unmet(
  ['podman', 'runc', 'debootstrap', 'apt-get', 'dpkg-deb', 'npm', 'pnpm', 'tar', 'git'],
  { root: true },
);
if (!existsSync(join(appDir, 'dist/server.js'))) {
  missing.push('apps/inference/dist is not built (pnpm --filter @modelship/inference build)');
}

describe.runIf(shouldRun(suite, missing))('the container image (podman)', () => {
  const { build: buildBase, runtime: base } = dockerfileBaseImages();

  beforeAll(() => assertMet(suite, missing));
  afterAll(async () => {
    await exec('podman', ['rm', '--force', '--ignore', container]);
  });

  it(
    "has the stand-in for the build stage's base image, with its conventions",
    async () => {
      await execOk('bash', [join(appDir, 'image/stand-in-base.sh')], {
        echo: true,
        timeoutMs: 15 * minutes,
      });
      const config = await imageConfig(buildBase);
      expect(config.Entrypoint).toEqual(['docker-entrypoint.sh']);
      expect(config.Cmd).toEqual(['node']);

      const facts = await execOk('podman', [
        'run',
        '--rm',
        ...runFlags,
        buildBase,
        'sh',
        '-c',
        'id -u node; id -g node; getent passwd node | cut -d: -f6; command -v node; command -v npm; echo "$NODE_VERSION"',
      ]);
      const version = buildBase.replace(/^.*:/, '').split('-')[0];
      expect(facts.stdout.trim().split('\n')).toEqual([
        '1000',
        '1000',
        '/home/node',
        '/usr/local/bin/node',
        '/usr/local/bin/npm',
        version,
      ]);
      // The entrypoint hands options and scripts to node, like the official image's.
      const nodeVersion = await execOk('podman', [
        'run',
        '--rm',
        ...runFlags,
        buildBase,
        '--version',
      ]);
      expect(nodeVersion.stdout.trim()).toBe(`v${version}`);
    },
    16 * minutes,
  );

  it(
    "has the stand-in for the runtime's distroless base: node as entrypoint, nonroot, no shell",
    async () => {
      await execOk('bash', [join(appDir, 'image/stand-in-distroless.sh')], {
        echo: true,
        timeoutMs: 10 * minutes,
      });
      const config = await imageConfig(base);
      expect({ entrypoint: config.Entrypoint, user: config.User }).toEqual({
        entrypoint: ['/nodejs/bin/node'],
        user: '65532',
      });
      // the same Node as the build stage, which the bundle was built and tested with
      const version = buildBase.replace(/^.*:/, '').split('-')[0];
      const node = await execOk('podman', ['run', '--rm', ...runFlags, base, '--version']);
      expect(node.stdout.trim()).toBe(`v${version}`);
      const files = new Set(await imageFiles(base));
      expect(['bin/sh', 'usr/bin/apt-get', 'usr/bin/dpkg'].filter((f) => files.has(f))).toEqual([]);
      expect(files.has('etc/ssl/certs/ca-certificates.crt')).toBe(true);
    },
    11 * minutes,
  );

  it(
    'builds from the unmodified Dockerfile, with the expected user, entrypoint and labels',
    async () => {
      const revision = await buildRuntimeImage();
      const config = await imageConfig(image);
      expect({
        user: config.User,
        entrypoint: config.Entrypoint,
        cmd: config.Cmd ?? [],
        workdir: config.WorkingDir,
        ports: Object.keys(config.ExposedPorts ?? {}),
        nodeEnv: config.Env?.find((e) => e.startsWith('NODE_ENV=')),
        version: config.Labels?.['org.opencontainers.image.version'],
        revision: config.Labels?.['org.opencontainers.image.revision'],
      }).toEqual({
        user: '1000:1000',
        entrypoint: ['/nodejs/bin/node', 'dist/server.js'],
        cmd: [],
        workdir: '/app',
        ports: ['8080/tcp'],
        nodeEnv: 'NODE_ENV=production',
        version: serviceVersion,
        revision,
      });
      expect(await readFile(join(appDir, 'Dockerfile'), 'utf8')).not.toMatch(/HEALTHCHECK/);
    },
    16 * minutes,
  );

  it(
    'reports the size of the image and of its layers',
    async () => {
      const size = await imageSize(image);
      const baseSize = (await imageSize(base)).size;
      const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
      console.log(
        [
          `image ${image}: ${mb(size.size)} (base ${base}: ${mb(baseSize)}, ours: ${mb(size.size - baseSize)})`,
          ...size.layers.map((l) => `  ${mb(l.size).padStart(10)}  ${l.createdBy.slice(0, 100)}`),
        ].join('\n'),
      );
      await mkdir(join(appDir, 'test-results'), { recursive: true });
      await writeFile(
        join(appDir, 'test-results/image-size.json'),
        `${JSON.stringify({ image, base, baseSize, ...size }, null, 2)}\n`,
      );
      // the base's layer(s) and the application's: the image is the base plus /app
      expect(size.size).toBeGreaterThan(baseSize);
      expect(size.layers.some((l) => / in \/app\/? *$/.test(l.createdBy))).toBe(true);
    },
    5 * minutes,
  );

  it(
    'ships only the production bundle and the model',
    async () => {
      const files = await imageFiles(image);
      const app = files.filter((p) => p.startsWith('app/')).map((p) => p.slice('app/'.length));
      expect
        .soft(app.filter((p) => !p.includes('/')).sort())
        .toEqual(['dist', 'node_modules', 'package.json']);
      const expected = ['dist/server.js', 'dist/model/model.onnx', 'dist/model/schema.json'];
      expect.soft(expected.filter((p) => !app.includes(p))).toEqual([]);

      expect.soft(forbiddenContents(app)).toEqual([]);
      expect.soft(files.filter(isTrainingData)).toEqual([]);
      // onnxruntime-node's binaries for other platforms were left out (bundle.mjs)
      const binaries = app.filter((p) => p.endsWith('/onnxruntime_binding.node'));
      expect
        .soft(binaries.map((p) => p.replace(/^.*\/bin\/napi-v\d+\//, '')))
        .toEqual([`linux/${process.arch}/onnxruntime_binding.node`]);
      expect.soft(files.filter((p) => p === 'src' || p.startsWith('src/'))).toEqual([]);
    },
    10 * minutes,
  );

  it(
    'runs as 1000:1000, becomes ready, predicts like the local service and exits 0 on SIGTERM',
    async () => {
      const port = await freePort();
      await execOk('podman', [
        'run',
        '--detach',
        '--name',
        container,
        ...runFlags,
        // as Kubernetes runs it: nothing in the image is written to
        '--read-only',
        // host network, bound to loopback: the test reaches it, nothing else does
        '--network',
        'host',
        '--env',
        `PORT=${port}`,
        '--env',
        'HOST=127.0.0.1',
        image,
      ]);
      const logs = async () => {
        const { stdout, stderr } = await exec('podman', ['logs', container]);
        return `${stdout}${stderr}`;
      };
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitUntilReady(baseUrl, {
        timeoutMs: 2 * minutes,
        check: async () => {
          const { stdout } = await execOk('podman', [
            'inspect',
            '--format',
            '{{.State.Running}}',
            container,
          ]);
          if (stdout.trim() !== 'true') throw new Error(`the container stopped:\n${await logs()}`);
        },
      });

      const status = await readFile(`/proc/${await containerPid(container)}/status`, 'utf8');
      const ids = (field: string) =>
        status.match(new RegExp(`^${field}:\\s+(.*)$`, 'm'))?.[1]?.split(/\s+/);
      expect({ uid: ids('Uid'), gid: ids('Gid') }).toEqual({
        uid: ['1000', '1000', '1000', '1000'],
        gid: ['1000', '1000', '1000', '1000'],
      });

      const local = await startNodeService({ cwd: appDir });
      try {
        const expected = await predictEach(local.baseUrl);
        expect(expected).toHaveLength(sampleRecords.length);
        expect(await predictEach(baseUrl)).toEqual(expected);
      } finally {
        await local.stop('SIGKILL');
      }

      await execOk('podman', ['kill', '--signal', 'TERM', container]);
      // SHUTDOWN_DELAY (0) + SHUTDOWN_TIMEOUT (20 s) is the service's own deadline.
      const code = await waitForExit(container, 40_000);
      expect(code, await logs()).toBe(0);
    },
    5 * minutes,
  );
});

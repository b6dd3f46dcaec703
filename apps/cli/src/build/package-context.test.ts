// The runtime image's context from the package: /app's layout, the target's binding only, and
// a Dockerfile whose runtime stage is apps/inference/Dockerfile's, verbatim.
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import servicePackage from '@modelship/inference/package.json' with { type: 'json' };
import { beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PACKAGE_REVISION, fakePackageParts } from '../testing.ts';
import { type PackageParts, planRuntimeContext, writeRuntimeContext } from './package-context.ts';

let parts: PackageParts;
const inferenceDockerfile = join(
  dirname(fileURLToPath(import.meta.resolve('@modelship/inference/package.json'))),
  'Dockerfile',
);

const tree = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

/** The context `planRuntimeContext` plans for `platform`, written to a new folder. */
const written = async (platform: 'linux/amd64' | 'linux/arm64') => {
  const plan = await planRuntimeContext(parts, platform);
  const dir = await mkdtemp(join(tmpdir(), 'modelship-context-test-'));
  await writeRuntimeContext(plan, dir);
  return { plan, dir, files: await tree(dir) };
};

beforeAll(async () => {
  parts = await fakePackageParts();
});

describe('the runtime image context from the package', () => {
  it("lays out /app as the image does: package.json, dist/ with server.js, linux/x64's binding only", async () => {
    const { dir, files } = await written('linux/amd64');
    const app = files.filter((f) => f.startsWith('app/')).map((f) => f.slice(4));
    expect(app.filter((f) => !f.startsWith('node_modules/'))).toEqual([
      'dist/model/schema.json',
      'dist/server.js',
      'dist/static/form.css',
      'package.json',
    ]);
    expect(files.filter((f) => !f.startsWith('app/'))).toEqual(['Dockerfile']);
    expect(await readFile(join(dir, 'app/dist/server.js'), 'utf8')).toBe(
      await readFile(join(parts.service, 'server.mjs'), 'utf8'),
    );
    expect(JSON.parse(await readFile(join(dir, 'app/package.json'), 'utf8'))).toEqual({
      name: servicePackage.name,
      version: servicePackage.version,
      private: true,
      type: 'module',
    });
    const bindings = app.filter((f) => f.includes('/bin/'));
    expect(bindings.sort()).toEqual([
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    ]);
    // the packages' declared files, no types or maps
    expect(app).toContain('node_modules/onnxruntime-node/dist/index.js');
    expect(app).toContain('node_modules/onnxruntime-common/dist/cjs/index.js');
    expect(app.filter((f) => /\.map$|\.d\.ts$/.test(f))).toEqual([]);
    for (const file of ['app/dist/server.js', 'app/package.json']) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o644);
    }
  });

  it('takes linux/arm64 binding only for linux/arm64, under another tag', async () => {
    const [amd64, arm64] = [await written('linux/amd64'), await written('linux/arm64')];
    expect(arm64.files.filter((f) => f.includes('/bin/'))).toEqual([
      'app/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1',
      'app/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node',
    ]);
    expect(arm64.plan.tag).not.toBe(amd64.plan.tag);
  });

  it("is built FROM the Dockerfile's runtime stage, verbatim, after a stage holding /app's files", async () => {
    const { dir, plan } = await written('linux/amd64');
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const source = await readFile(inferenceDockerfile, 'utf8');
    const stage = source.slice(source.lastIndexOf('\nFROM ') + 1);
    expect(dockerfile.endsWith(stage)).toBe(true);
    const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(instructions.slice(0, 5)).toEqual([
      'FROM scratch AS build',
      'COPY app/ /out/',
      'FROM gcr.io/distroless/nodejs22-debian12:nonroot',
      'ENV NODE_ENV=production',
      'WORKDIR /app',
    ]);
    expect(instructions).toContain('COPY --from=build /out/ /app/');
    expect(instructions).toContain('ENTRYPOINT ["/nodejs/bin/node", "dist/server.js"]');
    expect(plan.base).toBe('gcr.io/distroless/nodejs22-debian12:nonroot');
  });

  it('is tagged by version and content: the same for the same files, another when one changes', async () => {
    const first = await planRuntimeContext(parts, 'linux/amd64');
    expect(first.tag).toMatch(
      new RegExp(`^localhost/modelship-runtime:${servicePackage.version}-[0-9a-f]{12}$`),
    );
    expect((await planRuntimeContext(parts, 'linux/amd64')).tag).toBe(first.tag);
    const server = join(parts.service, 'server.mjs');
    const before = await readFile(server, 'utf8');
    await writeFile(server, `${before}// changed\n`);
    try {
      expect((await planRuntimeContext(parts, 'linux/amd64')).tag).not.toBe(first.tag);
    } finally {
      await writeFile(server, before);
    }
  });

  it('carries the package\'s revision, which is part of the tag; "unknown" without one', async () => {
    const first = await planRuntimeContext(parts, 'linux/amd64');
    expect(first.revision).toBe(FAKE_PACKAGE_REVISION);
    await writeFile(parts.revision, 'fedcba9876543210fedcba9876543210fedcba98\n');
    try {
      const other = await planRuntimeContext(parts, 'linux/amd64');
      expect(other.revision).toBe('fedcba9876543210fedcba9876543210fedcba98');
      expect(other.tag).not.toBe(first.tag);
      const none = await planRuntimeContext(
        { ...parts, revision: join(parts.stage, '..', 'absent') },
        'linux/amd64',
      );
      expect(none.revision).toBe('unknown');
    } finally {
      await writeFile(parts.revision, `${FAKE_PACKAGE_REVISION}\n`);
    }
  });

  it('names what the package lacks', async () => {
    await expect(
      planRuntimeContext({ ...parts, service: join(parts.service, 'static') }, 'linux/amd64'),
    ).rejects.toThrow(/static has no server\.mjs/);
    // an onnxruntime-node without linux/x64's binding
    const from = await mkdtemp(join(tmpdir(), 'modelship-context-test-'));
    for (const name of ['onnxruntime-node', 'onnxruntime-common']) {
      await mkdir(join(from, 'node_modules', name, 'dist', 'cjs'), { recursive: true });
      await writeFile(join(from, 'node_modules', name, 'dist', 'cjs', 'index.js'), '');
      const manifest = { name, main: 'dist/cjs/index.js' };
      await writeFile(join(from, 'node_modules', name, 'package.json'), JSON.stringify(manifest));
    }
    await expect(
      planRuntimeContext({ ...parts, packagesFrom: from }, 'linux/amd64'),
    ).rejects.toThrow(/^onnxruntime-node has no bin\/napi-v6\/linux\/x64 \(in /);
  });
});

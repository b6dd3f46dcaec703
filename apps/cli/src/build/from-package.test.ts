// Building the runtime image from the package with a stand-in engine that keeps a local image
// store: built once and reused, its base pulled when missing, and a clear failure that leaves
// nothing behind when the base cannot be had (podman does it for real in
// apps/inference/image/model-image.image-test.ts).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { ENGINE_STUB, FAKE_PACKAGE_REVISION, fakePackageParts, standInTools } from '../testing.ts';
import { buildRuntimeFromPackage } from './from-package.ts';
import type { PackageParts } from './package-context.ts';

const BASE = 'gcr.io/distroless/nodejs22-debian12:nonroot';
let stubDir: string;
let parts: PackageParts;
let lines: string[];
const io: CommandIo = { out: () => {}, err: (line) => lines.push(line), cwd: '/' };

const calls = async (): Promise<{ argv: string[]; context?: string }[]> =>
  existsSync(process.env.STUB_LOG as string)
    ? (await readFile(process.env.STUB_LOG as string, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];
const verbs = async () => (await calls()).map((c) => c.argv.slice(0, 2).join(' '));
const runtimeContexts = async () =>
  (await readdir(tmpdir())).filter((f) => f.startsWith('modelship-runtime-'));

beforeAll(async () => {
  ({ dir: stubDir } = await standInTools('modelship-from-package-test-', { podman: ENGINE_STUB }));
  process.env.STUB_DIR = stubDir;
  parts = await fakePackageParts();
  // a temporary folder of this file's own, where no other test leaves contexts
  await mkdir(join(stubDir, 'tmp'));
  process.env.TMPDIR = join(stubDir, 'tmp');
});

beforeEach(() => {
  const run = Math.random().toString(36).slice(2);
  process.env.STUB_LOG = join(stubDir, `calls-${run}.jsonl`);
  process.env.STUB_IMAGES = join(stubDir, `images-${run}`);
  process.env.STUB_PULLABLE = BASE;
  delete process.env.STUB_FAIL;
  lines = [];
});

describe('the runtime image built from the package', () => {
  it('pulls the base, builds once for the platform, then reuses the image', async () => {
    const tag = await buildRuntimeFromPackage(
      'podman',
      'linux/amd64',
      'because; building it',
      io,
      parts,
    );
    expect(tag).toMatch(/^localhost\/modelship-runtime:\d+\.\d+\.\d+.*-[0-9a-f]{12}$/);
    expect(lines[0]).toBe(`because; building it from the installed package as ${tag}`);
    const [inspectTag, inspectBase, pull, build, ...rest] = await calls();
    expect(rest).toEqual([]);
    expect(inspectTag?.argv.at(-1)).toBe(tag);
    expect(inspectBase?.argv.at(-1)).toBe(BASE);
    expect(pull?.argv).toEqual(['pull', '--platform', 'linux/amd64', BASE]);
    expect(build?.argv.slice(0, 5)).toEqual(['build', '--tag', tag, '--platform', 'linux/amd64']);
    // the package's commit, as a build argument (the Dockerfile's LABEL) and as a label
    expect(build?.argv).toEqual(
      expect.arrayContaining([
        `REVISION=${FAKE_PACKAGE_REVISION}`,
        `org.opencontainers.image.revision=${FAKE_PACKAGE_REVISION}`,
      ]),
    );
    const context = build?.context as string;
    expect((await readdir(context)).sort()).toEqual(['Dockerfile', 'app']);
    expect(await readFile(join(context, 'Dockerfile'), 'utf8')).toMatch(/^FROM scratch AS build$/m);
    expect(await runtimeContexts()).toEqual([]);

    lines = [];
    const again = await buildRuntimeFromPackage('podman', 'linux/amd64', 'because', io, parts);
    expect(again).toBe(tag);
    expect(lines).toEqual([
      `using the runtime image ${tag}, built from the installed package before`,
    ]);
    expect((await verbs()).slice(4)).toEqual(['image inspect']);
  });

  it('does not pull a base the engine has for that platform', async () => {
    await buildRuntimeFromPackage('podman', 'linux/amd64', 'x', io, parts);
    process.env.STUB_LOG = `${process.env.STUB_LOG}.2`;
    const arm = await buildRuntimeFromPackage('podman', 'linux/arm64', 'x', io, parts);
    // the amd64 base is not the arm64 one: pulled for arm64; the amd64 image is another tag
    expect(await verbs()).toEqual([
      'image inspect',
      'image inspect',
      'pull --platform',
      'build --tag',
    ]);
    process.env.STUB_LOG = `${process.env.STUB_LOG}.3`;
    process.env.STUB_PULLABLE = '';
    lines = [];
    await buildRuntimeFromPackage('podman', 'linux/arm64', 'x', io, parts);
    expect(lines).toEqual([
      `using the runtime image ${arm}, built from the installed package before`,
    ]);
  });

  it('fails naming the base and --base when the base cannot be pulled, leaving nothing', async () => {
    process.env.STUB_PULLABLE = '';
    const error = await buildRuntimeFromPackage('podman', 'linux/amd64', 'x', io, parts).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).toBe(
      `the runtime image's base ${BASE} (linux/amd64) could not be pulled (podman pull exit 4; its output is above): log in to its registry or make it reachable, or layer the model onto a runtime image you have with --base REF`,
    );
    expect(await verbs()).toEqual(['image inspect', 'image inspect', 'pull --platform']);
    expect(existsSync(process.env.STUB_IMAGES as string)).toBe(false);
    expect(await runtimeContexts()).toEqual([]);
  });

  it('fails when the build fails: no tag, no context left', async () => {
    process.env.STUB_FAIL = 'build';
    const error = await buildRuntimeFromPackage('podman', 'linux/amd64', 'x', io, parts).catch(
      (e) => e,
    );
    expect((error as CliError).message).toMatch(
      /^podman build of the runtime image localhost\/modelship-runtime:\S+ failed \(exit 3\); its output is above\. Or layer the model onto a runtime image you have with --base REF$/,
    );
    const images = await readFile(process.env.STUB_IMAGES as string, 'utf8');
    expect(images.trim().split('\n')).toEqual([`${BASE} linux/amd64`]);
    expect(await runtimeContexts()).toEqual([]);
  });

  it('says what to do when this copy of the command carries no runtime parts', async () => {
    const error = await buildRuntimeFromPackage('podman', 'linux/amd64', 'x', io, undefined).catch(
      (e) => e,
    );
    expect((error as CliError).message).toMatch(/carries no runtime image .*--base REF/);
    expect(await calls()).toEqual([]);
  });
});

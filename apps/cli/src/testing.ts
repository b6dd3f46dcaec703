// Test helpers: run the command in process with captured output.
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ExporterExpected,
  exporterExpected,
  exporterFixtureDir,
  exporterInitArgs,
} from '@modelship/feature-schema/test-fixtures/exporters.ts';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { runtimeStage } from '@modelship/inference/runtime-stage.mjs';
import type { PackageParts } from './build/package-context.ts';
import { main } from './main.ts';

/** The outcome of one run: exit code, stdout and stderr. */
export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `modelship argv` in process, paths relative to `cwd`. */
export async function run(argv: readonly string[], cwd = process.cwd()): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * A folder of stand-in executables put first on PATH (for the image engine, gcloud, ...), each
 * `name` a shell script, plus the churn fixture initialized in it as a model directory.
 */
export async function standInTools(
  prefix: string,
  tools: Readonly<Record<string, string>>,
): Promise<{ readonly dir: string; readonly modelDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [name, script] of Object.entries(tools)) {
    await writeFile(join(dir, name), script);
    await chmod(join(dir, name), 0o755);
  }
  process.env.PATH = `${dir}:${process.env.PATH}`;
  const modelDir = join(dir, 'churn');
  const init = await run([
    'init',
    join(foreignFixtureDir(foreignFixtures.churnBinary), 'model.onnx'),
    '--out',
    modelDir,
    '--name',
    'churn',
  ]);
  if (init.code !== 0) throw new Error(`modelship init failed: ${init.err}`);
  return { dir, modelDir };
}

/** The files `modelship init --data` writes into a model directory of a self-contained model. */
export const INIT_FILES = ['model-card.md', 'model.onnx', 'profile.json', 'schema.json'] as const;

/** An exporter fixture's model initialized with its data into a new temp folder (`out`). */
export async function initExporterFixture(name: string): Promise<{
  readonly source: string;
  readonly expected: ExporterExpected;
  readonly out: string;
  readonly init: RunResult;
}> {
  const source = exporterFixtureDir(name);
  const expected = exporterExpected(name);
  const out = join(await mkdtemp(join(tmpdir(), 'modelship-exporter-')), 'model');
  const init = await run([
    ...exporterInitArgs(expected, join(source, 'model.onnx'), join(source, 'data.csv')),
    '--out',
    out,
  ]);
  return { source, expected, out, init };
}

/**
 * A stand-in for docker/podman (a node script, for `standInTools`) that appends each call to
 * $STUB_LOG (its arguments, and for a `build` without --file a copy of the context under
 * $STUB_DIR) and keeps a local image store in $STUB_IMAGES (`REF PLATFORM` lines): `image
 * inspect` finds what a build made or a pull fetched there, `pull` fetches the names listed in
 * $STUB_PULLABLE. The verb named by $STUB_FAIL exits 3.
 */
export const ENGINE_STUB = `#!/usr/bin/env node
const { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync } = require('node:fs');
const argv = process.argv.slice(2);
const verb = argv[0] === 'image' ? 'image ' + argv[1] : argv[0];
const option = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };
const images = () => existsSync(process.env.STUB_IMAGES)
  ? readFileSync(process.env.STUB_IMAGES, 'utf8').trim().split('\\n').map((l) => l.split(' '))
  : [];
const store = (ref, platform) => appendFileSync(process.env.STUB_IMAGES, ref + ' ' + platform + '\\n');
let context;
if (verb === 'build' && !argv.includes('--file')) {
  context = mkdtempSync(process.env.STUB_DIR + '/context-');
  cpSync(argv.at(-1), context, { recursive: true });
}
appendFileSync(process.env.STUB_LOG, JSON.stringify({ argv, context }) + '\\n');
if (verb === process.env.STUB_FAIL) process.exit(3);
if (verb === 'image inspect') {
  const found = images().find(([ref]) => ref === argv.at(-1));
  if (!found) process.exit(1);
  console.log(found[1]);
} else if (verb === 'pull') {
  if (!(process.env.STUB_PULLABLE ?? '').split(' ').includes(argv.at(-1))) process.exit(4);
  store(argv.at(-1), option('--platform') ?? 'linux/amd64');
} else if (verb === 'build') {
  console.log('STEP 1/2: stand-in build');
  store(option('--tag'), option('--platform') ?? 'linux/amd64');
}
`;

/** The commit {@link fakePackageParts} says its package was built from. */
export const FAKE_PACKAGE_REVISION = '0123456789abcdef0123456789abcdef01234567';

/**
 * The parts of a package in a new temp folder as scripts/build.mjs lays them out: a small
 * service (server.mjs and its map, static/, model/), apps/inference/Dockerfile's runtime
 * stage and the revision file; onnxruntime-node resolves from this workspace (which has every
 * platform's binding).
 */
export async function fakePackageParts(): Promise<PackageParts> {
  const dir = await mkdtemp(join(tmpdir(), 'modelship-package-'));
  const files: Record<string, string> = {
    'service/server.mjs': 'console.log("the service");\n',
    'service/server.mjs.map': '{}\n',
    'service/static/form.css': 'body {}\n',
    'service/model/schema.json': '{}\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const inference = dirname(
    fileURLToPath(import.meta.resolve('@modelship/inference/package.json')),
  );
  const { text } = runtimeStage(await readFile(join(inference, 'Dockerfile'), 'utf8'));
  await mkdir(join(dir, 'runtime'));
  await writeFile(join(dir, 'runtime', 'Dockerfile'), text);
  await writeFile(join(dir, 'runtime', 'revision'), `${FAKE_PACKAGE_REVISION}\n`);
  return {
    service: join(dir, 'service'),
    stage: join(dir, 'runtime', 'Dockerfile'),
    packagesFrom: fileURLToPath(new URL('..', import.meta.url)),
    revision: join(dir, 'runtime', 'revision'),
  };
}

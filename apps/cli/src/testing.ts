// Test helpers: run the command in process with captured output.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

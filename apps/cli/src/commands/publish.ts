import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FILE, PROFILE_FILE, SCHEMA_FILE } from '@modelship/inference';
import { assertBucketName, assertObjectPrefix } from '@modelship/k8s';
import { defineCommand } from '../args.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure, usageError } from '../errors.ts';
import { modelSideFiles } from '../infer/external-data.ts';
import { type CommandIo, onPath, resolvePath } from '../io.ts';

/** The files of a model directory that make a version (the rest of DIR stays local). */
const PUBLISHED_FILES = [MODEL_FILE, SCHEMA_FILE, PROFILE_FILE, 'model-card.md'] as const;

/** A version folder name, as the service's `current` file may name it (one path segment). */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Single-quotes a word for a POSIX shell when it needs it. */
const sh = (word: string) =>
  /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

/** `gs://BUCKET/PREFIX` split and validated with the workload's own rules. */
function parseGcsUrl(url: string): { bucket: string; prefix: string } {
  const match = /^gs:\/\/([^/]+)\/(.+?)\/?$/.exec(url);
  if (!match) throw usageError(`${url}: give gs://BUCKET/PREFIX (a folder inside the bucket)`);
  const [, bucket = '', prefix = ''] = match;
  try {
    assertBucketName('bucket', bucket);
    assertObjectPrefix('prefix', prefix);
  } catch (error) {
    throw usageError(`${url}: ${(error as Error).message}`);
  }
  return { bucket, prefix };
}

/** One gcloud call: its arguments and what it reads on stdin. */
interface GcloudStep {
  readonly args: readonly string[];
  readonly stdin?: string;
}

/** The command line a person would type for a step. */
function shellLine(step: GcloudStep): string {
  const line = ['gcloud', ...step.args].map(sh).join(' ');
  return step.stdin === undefined ? line : `printf '%s\\n' ${sh(step.stdin.trim())} | ${line}`;
}

function runGcloud(step: GcloudStep, io: CommandIo): Promise<number> {
  io.err(`$ ${shellLine(step)}`);
  return new Promise((resolve, reject) => {
    const child = spawn('gcloud', step.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) io.err(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(step.stdin ?? '');
  });
}

/** `modelship publish`. */
export const publishCommand = defineCommand({
  name: 'publish',
  summary: 'a new version in a Cloud Storage model source, then its current',
  args: ['DIR', 'gs://BUCKET/PREFIX'],
  flags: {
    version: {
      type: 'string',
      value: 'V',
      help: "the version folder (default: the model's version in schema.json)",
    },
    run: { type: 'boolean', help: 'run the commands instead of printing them' },
  },
  description: `Publishes the model directory DIR as a new version of the versioned model source in
gs://BUCKET/PREFIX (the layout the service hot-reloads, mounted by the workload's
\`modelSource: { source: 'gcs', bucket, prefix }\`): DIR is checked as the server would load it,
then its model files (model.onnx and its weights' side files, schema.json, profile.json,
model-card.md) are copied to
gs://BUCKET/PREFIX/VERSION/ (never over an existing object), and only then is
gs://BUCKET/PREFIX/current rewritten to name VERSION (an object write is atomic: pods see the
old name or the new one). Prints the gcloud commands on stdout; with --run, runs them (gcloud
must be on PATH and logged in).`,
  examples: ['modelship publish models/churn gs://acme-models/models/churn --version 2.0.0 --run'],
  async run({ positionals: [dirArg, url], values }, io) {
    const { bucket, prefix } = parseGcsUrl(url);
    const { run } = values;
    if (run && !onPath('gcloud')) {
      throw usageError(
        '--run needs gcloud on PATH (install the Google Cloud CLI), or leave out --run to print the commands',
      );
    }

    const dir = resolvePath(io, dirArg);
    const diagnosis = await diagnoseModelDir(dir);
    if (!diagnosis.ok) throw failure(formatProblems(dir, diagnosis.problems));
    const { identity } = diagnosis.model;
    await diagnosis.model.release();
    const version = values.version ?? identity.version;
    if (!VERSION_NAME.test(version) || version === '.' || version === '..') {
      throw usageError(
        `--version ${JSON.stringify(version)}: must be one folder name (letters, digits, '._-', starting alphanumeric)`,
      );
    }

    const files = [...PUBLISHED_FILES, ...(await modelSideFiles(dir))]
      .map((name) => join(dir, name))
      .filter((path) => existsSync(path));
    const root = `gs://${bucket}/${prefix}`;
    const steps: GcloudStep[] = [
      // --no-clobber: a published version is never changed under pods that may be serving it.
      { args: ['storage', 'cp', '--no-clobber', ...files, `${root}/${version}/`] },
      { args: ['storage', 'cp', '-', `${root}/current`], stdin: `${version}\n` },
    ];
    io.err(`ok: ${identity.name} ${identity.version} passes the server's load checks`);
    if (!run) {
      for (const step of steps) io.out(shellLine(step));
      return 0;
    }
    for (const [index, step] of steps.entries()) {
      const code = await runGcloud(step, io);
      if (code !== 0) {
        throw failure(
          index === 0
            ? `gcloud storage cp failed (exit ${code}); ${root}/current is unchanged (pods serve on)`
            : `writing ${root}/current failed (exit ${code}); the version is uploaded: rerun the command above`,
        );
      }
    }
    io.out(`${root}/current: ${version}`);
    return 0;
  },
});

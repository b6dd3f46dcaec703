// Every problem of a model directory at once (the server's loader stops at the first): the
// schema's issues, the model file, the fingerprint, and then the loader's own checks (task,
// inputs and outputs, warm-up) run on a copy stamped with the schema's fingerprint, so that a
// stale fingerprint does not hide a layout problem behind it.
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  type CompiledSchema,
  compileSchema,
  FINGERPRINT_METADATA_KEY,
  parseSchema,
  SchemaError,
  verifyFingerprint,
} from '@modelship/feature-schema';
import {
  externalDataFiles,
  externalDataFolder,
  externalDataProblem,
  loadModel,
  MODEL_FILE,
  ModelLoadError,
  readOnnxMetadata,
  SCHEMA_FILE,
  type ServedModel,
  writeOnnxMetadata,
} from '@modelship/inference';
import { InferenceSession } from 'onnxruntime-node';

/** The outcome of {@link diagnoseModelDir}. */
export type Diagnosis =
  | { readonly ok: true; readonly model: ServedModel }
  | { readonly ok: false; readonly problems: readonly string[] };

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function readOrProblem(path: string, problems: string[]): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(code === 'ENOENT' ? `${path}: not found` : `${path}: ${reason(error)}`);
    return undefined;
  }
}

/** schema.json compiled, or its problems (one per schema issue). */
async function diagnoseSchema(
  path: string,
  problems: string[],
): Promise<CompiledSchema | undefined> {
  const bytes = await readOrProblem(path, problems);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    problems.push(`${path}: not valid JSON: ${reason(error)}`);
    return undefined;
  }
  try {
    return compileSchema(parseSchema(json));
  } catch (error) {
    if (error instanceof SchemaError) {
      for (const issue of error.issues)
        problems.push(`${path}: ${issue.path || '(root)'}: ${issue.message}`);
    } else {
      problems.push(`${path}: ${reason(error)}`);
    }
    return undefined;
  }
}

/** The loader's message, with a temporary copy's paths replaced and a layout list split. */
function loaderProblems(message: string, temp: string | undefined, dir: string): string[] {
  const text = temp === undefined ? message : message.split(temp).join(dir);
  const layout = /^(.* does not match the layout in schema\.json): (.*)$/s.exec(text);
  if (!layout) return [text];
  const [, head, list] = layout as unknown as [string, string, string];
  return list.split('; ').map((item) => `${head}: ${item}`);
}

/**
 * Checks a model directory as the server's loader does, but lists every problem instead of
 * the first. When there is none, resolves with the loaded model (release it when done).
 *
 * @example
 * const d = await diagnoseModelDir('models/churn');
 * if (!d.ok) for (const p of d.problems) console.error(p);
 */
export async function diagnoseModelDir(dir: string): Promise<Diagnosis> {
  if (!existsSync(dir)) return { ok: false, problems: [`${dir}: no such directory`] };
  if (!statSync(dir).isDirectory()) {
    return { ok: false, problems: [`${dir}: not a directory (give the model directory)`] };
  }
  const problems: string[] = [];
  const schemaPath = join(dir, SCHEMA_FILE);
  const modelPath = join(dir, MODEL_FILE);
  const compiled = await diagnoseSchema(schemaPath, problems);
  const bytes = await readOrProblem(modelPath, problems);
  let metadata: Record<string, string> | undefined;
  if (bytes) {
    try {
      metadata = readOnnxMetadata(bytes);
    } catch (error) {
      problems.push(`${modelPath}: not a valid ONNX model: ${reason(error)}`);
    }
  }
  if (!compiled || !bytes || !metadata) {
    // Without a schema the loader cannot go on: at least say whether onnxruntime loads it.
    if (bytes && metadata) {
      try {
        const extra = { session: externalDataFolder(resolve(dir)) };
        await (await InferenceSession.create(bytes, { extra })).release();
      } catch (error) {
        problems.push(`${modelPath}: onnxruntime cannot load it: ${reason(error)}`);
      }
    }
    return { ok: false, problems };
  }

  let loadDir = dir;
  let temp: string | undefined;
  try {
    verifyFingerprint(metadata, compiled);
  } catch (error) {
    problems.push(
      `${modelPath} does not belong to ${SCHEMA_FILE}: ${reason(error)} (after editing schema.json, run modelship stamp ${dir})`,
    );
    // The rest of the loader's checks, as they would run once the directory is stamped.
    temp = await mkdtemp(join(tmpdir(), 'modelship-check-'));
    await copyFile(schemaPath, join(temp, SCHEMA_FILE));
    await writeFile(
      join(temp, MODEL_FILE),
      writeOnnxMetadata(bytes, { [FINGERPRINT_METADATA_KEY]: compiled.fingerprint }),
    );
    // The weights' side files, as they are beside the model (the loader checks them).
    for (const location of externalDataFiles(bytes)) {
      if (externalDataProblem(location) || !existsSync(join(dir, location))) continue;
      await mkdir(dirname(join(temp, location)), { recursive: true });
      await symlink(resolve(dir, location), join(temp, location));
    }
    loadDir = temp;
  }
  try {
    const model = await loadModel({ dir: loadDir });
    if (problems.length === 0) return { ok: true, model };
    await model.release();
  } catch (error) {
    if (!(error instanceof ModelLoadError)) throw error;
    problems.push(...loaderProblems(error.message, temp, dir));
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
  return { ok: false, problems };
}

/** The problems as one message: a count, then one indented line each. */
export function formatProblems(dir: string, problems: readonly string[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${dir} cannot be served (${count}):`, ...problems.map((p) => `  - ${p}`)].join('\n');
}

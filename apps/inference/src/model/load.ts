import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type CompiledSchema,
  compileSchema,
  type ModelSchema,
  type Profile,
  parseProfile,
  parseSchema,
  profileMismatches,
  verifyFingerprint,
} from '@modelship/feature-schema';
import { InferenceSession } from 'onnxruntime-node';
import { fixedBatchSize } from './batch-size.ts';
import { externalDataFiles, externalDataProblem } from './external-data.ts';
import { layoutMismatches } from './layout-check.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';
import { type ResolvedTask, resolveTask } from './resolve-task.ts';
import { createRunner } from './runner.ts';
import type { ServedModel } from './served-model.ts';
import { sessionOptions } from './session-options.ts';
import type { Prediction, ServedTask } from './task.ts';

/** Why a model directory cannot be served; the message says what to fix. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** The model directory: `model.onnx` + `schema.json` (+ model card). */
  readonly dir: string;
  /** onnxruntime intra-op threads. @default 1 */
  readonly intraOpThreads?: number;
  /**
   * Read `profile.json` (and refuse one that does not fit the schema). Off for tools that are
   * about to write a new one (`modelship profile`). @default true
   */
  readonly readProfile?: boolean;
}

/** The file names a model directory must hold. */
export const MODEL_FILE = 'model.onnx';
/** @see MODEL_FILE */
export const SCHEMA_FILE = 'schema.json';
/** The training profile (optional): without it the model serves with drift monitoring off. */
export const PROFILE_FILE = 'profile.json';

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readFileOrFail(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${what} ${path}: ${reason(error)}`,
    );
  }
}

async function loadSchema(path: string): Promise<CompiledSchema> {
  const text = (await readFileOrFail(path, 'schema')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${path} is not valid JSON: ${reason(error)}`);
  }
  let schema: ModelSchema;
  try {
    schema = parseSchema(json);
  } catch (error) {
    throw new ModelLoadError(`${path} is not a valid model schema: ${reason(error)}`);
  }
  return compileSchema(schema);
}

/** The directory's `profile.json`, checked against its schema; undefined when there is none. */
async function loadProfile(path: string, compiled: CompiledSchema): Promise<Profile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelLoadError(`cannot read profile ${path}: ${reason(error)}`);
  }
  let profile: Profile;
  try {
    profile = parseProfile(JSON.parse(text));
  } catch (error) {
    throw new ModelLoadError(`${path} is not a valid profile: ${reason(error)} (refresh it: modelship profile DIR --data CSV)`);
  }
  const problems = profileMismatches(profile, compiled.schema, compiled.fingerprint);
  if (problems.length > 0) {
    throw new ModelLoadError(
      `${path} does not fit ${SCHEMA_FILE}: ${problems.join('; ')} (refresh it: modelship profile DIR --data CSV)`,
    );
  }
  return profile;
}

/**
 * Checks that the side files holding the model's weights (if any) are in its directory, where
 * onnxruntime is told to read them whatever the current directory.
 */
async function checkExternalData(dir: string, modelPath: string, bytes: Uint8Array) {
  for (const location of externalDataFiles(bytes)) {
    const problem = externalDataProblem(location);
    if (problem) throw new ModelLoadError(`${modelPath}: ${problem}`);
    try {
      await access(join(dir, location));
    } catch {
      throw new ModelLoadError(
        `${modelPath} keeps its weights in "${location}", which is not in ${dir}: copy it beside ${MODEL_FILE} (or re-export with the weights inside, e.g. torch.onnx.export(..., external_data=False))`,
      );
    }
  }
}

/** What is wrong with the warm-up prediction, if anything. */
function warmProblem(task: ServedTask, prediction: Prediction | undefined): string | undefined {
  if (task.kind === 'regression') {
    return Number.isFinite(prediction) ? undefined : `predicts ${prediction}`;
  }
  if (typeof prediction !== 'object') return 'predicts nothing';
  if (!task.classes.includes(prediction.label)) {
    return `predicts the class ${JSON.stringify(prediction.label)}, which is not one of its classes (${task.classes.join(', ')})`;
  }
  if (!prediction.probabilities.every(Number.isFinite)) {
    return `predicts the probabilities ${prediction.probabilities.join(', ')}`;
  }
  return undefined;
}

/**
 * Loads a model directory and proves it servable before anything is served: reads and
 * validates `schema.json`; reads `model.onnx`; checks that its fingerprint metadata matches
 * the schema; resolves a classifier's classes and probabilities (see `resolveTask`); finds
 * its weights' side files (if any) in the directory; checks that its inputs and outputs match the schema's layout and task (names, element types,
 * shapes); warms the session with the schema's example and checks the prediction (a finite
 * number, or one of the classes with finite probabilities).
 *
 * @throws {ModelLoadError} naming the file and the problem (missing, corrupt, mismatched).
 * @example
 * const model = await loadModel({ dir: config.MODEL_DIR, intraOpThreads: 1 });
 * const [charges] = await model.run([model.compiled.example]);
 */
export async function loadModel(options: LoadModelOptions): Promise<ServedModel> {
  const { dir, intraOpThreads = 1, readProfile = true } = options;
  const compiled = await loadSchema(join(dir, SCHEMA_FILE));
  const { schema } = compiled;
  const profile = readProfile ? await loadProfile(join(dir, PROFILE_FILE), compiled) : undefined;
  const modelPath = join(dir, MODEL_FILE);
  const bytes = await readFileOrFail(modelPath, 'model');

  let metadata: Record<string, string>;
  try {
    metadata = readOnnxMetadata(bytes);
  } catch (error) {
    throw new ModelLoadError(`${modelPath} is not a valid ONNX model: ${reason(error)}`);
  }
  try {
    verifyFingerprint(metadata, compiled);
  } catch (error) {
    throw new ModelLoadError(`${modelPath} does not belong to ${SCHEMA_FILE}: ${reason(error)}`);
  }

  let resolved: ResolvedTask;
  try {
    resolved = resolveTask(schema, bytes);
  } catch (error) {
    throw new ModelLoadError(`${modelPath} with ${SCHEMA_FILE}: ${reason(error)}`);
  }
  const { task } = resolved;

  await checkExternalData(dir, modelPath, bytes);
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(
      resolved.bytes,
      sessionOptions({ intraOpThreads, modelDir: resolve(dir) }),
    );
  } catch (error) {
    throw new ModelLoadError(`onnxruntime cannot load ${modelPath}: ${reason(error)}`);
  }

  const ready = async (): Promise<ServedModel> => {
    const problems = layoutMismatches(
      schema,
      session.inputMetadata,
      session.outputMetadata,
      task,
    );
    if (problems.length > 0) {
      throw new ModelLoadError(
        `${modelPath} does not match the layout in ${SCHEMA_FILE}: ${problems.join('; ')}`,
      );
    }
    let batch: number | undefined;
    try {
      batch = fixedBatchSize(session.inputMetadata);
    } catch (error) {
      throw new ModelLoadError(`${modelPath}: ${reason(error)}`);
    }
    const run = createRunner({
      session,
      compiled,
      output: schema.output.name,
      task,
      ...(batch !== undefined ? { batch } : {}),
    });
    let warm: Prediction[];
    try {
      warm = await run([compiled.example]);
    } catch (error) {
      throw new ModelLoadError(`warming ${modelPath} with the schema's example failed: ${reason(error)}`);
    }
    const problem = warmProblem(task, warm[0]);
    if (problem) throw new ModelLoadError(`${modelPath} ${problem} for the schema's example`);
    return {
      dir,
      schema,
      compiled,
      identity: {
        name: schema.model.name,
        version: schema.model.version,
        fingerprint: compiled.fingerprint,
      },
      metadata,
      task,
      ...(profile ? { profile } : {}),
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
      run,
      release: () => session.release(),
    };
  };
  try {
    return await ready();
  } catch (error) {
    await session.release().catch(() => {});
    throw error;
  }
}

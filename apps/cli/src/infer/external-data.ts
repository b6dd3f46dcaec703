import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  externalDataFiles,
  externalDataProblem,
  inlineExternalData,
  MODEL_FILE,
  PROTOBUF_LIMIT,
} from '@modelship/inference';
import { failure } from '../errors.ts';

/** A model made self-contained for its directory. */
export interface SelfContainedModel {
  /** The model's bytes: with its side files' weights inside, when they fit. */
  readonly bytes: Uint8Array;
  /** The side files whose weights were stored inside the model. */
  readonly inlined: readonly string[];
  /** Side files to copy beside `model.onnx` (a model too large to hold its weights), by name. */
  readonly sideFiles: Readonly<Record<string, { readonly from: string }>>;
}

/**
 * Makes a model self-contained: the weights of its side files (torch's `model.onnx.data`), read
 * from the model's own folder, are stored inside it when the result stays under protobuf's
 * 2 GB limit, else the side files are to be copied beside it.
 *
 * @throws {CliError} (exit 1) naming a side file that is missing or outside the model's folder.
 */
export async function selfContained(
  modelPath: string,
  bytes: Uint8Array,
  limit = PROTOBUF_LIMIT,
): Promise<SelfContainedModel> {
  const folder = dirname(modelPath);
  let files: string[];
  try {
    files = externalDataFiles(bytes);
  } catch {
    // Not an ONNX model: describeGraph says so.
    return { bytes, inlined: [], sideFiles: {} };
  }
  let total = bytes.length;
  for (const location of files) {
    const problem = externalDataProblem(location);
    if (problem) throw failure(`${modelPath}: ${problem}`);
    try {
      total += (await stat(join(folder, location))).size;
    } catch {
      throw failure(
        `${modelPath} keeps its weights in "${location}", which is not beside it in ${folder}: copy it there (it is written next to the model by torch.onnx.export), or re-export with the weights inside (torch.onnx.export(..., external_data=False))`,
      );
    }
  }
  if (files.length === 0) return { bytes, inlined: [], sideFiles: {} };
  if (total < limit) {
    const inlined = await inlineExternalData(bytes, (location) => readFile(join(folder, location)));
    return { bytes: inlined, inlined: files.map((f) => basename(f)), sideFiles: {} };
  }
  return {
    bytes,
    inlined: [],
    sideFiles: Object.fromEntries(files.map((f) => [f, { from: join(folder, f) }])),
  };
}

/**
 * The weights' side files a model directory's `model.onnx` reads (paths relative to the
 * directory), which travel with it wherever it is copied; empty for a self-contained model.
 */
export async function modelSideFiles(dir: string): Promise<string[]> {
  return externalDataFiles(await readFile(join(dir, MODEL_FILE)));
}

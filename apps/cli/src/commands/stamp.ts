import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSchema, FINGERPRINT_METADATA_KEY, parseSchema } from '@modelship/feature-schema';
import {
  loadModel,
  MODEL_FILE,
  ModelLoadError,
  SCHEMA_FILE,
  writeOnnxMetadata,
} from '@modelship/inference';
import { type CommandOptions, commandLine } from '../args.ts';
import { failure } from '../errors.ts';
import { type CommandIo, resolvePath } from '../io.ts';
import { replaceFile } from '../write-dir.ts';

export const stampHelp = `Usage: modelship stamp DIR

Stamps the fingerprint of DIR/schema.json into DIR/model.onnx (after an edit to the schema),
then checks the directory as the server would.

Example:
  modelship stamp models/churn`;

/** The flags of `modelship stamp` (besides `--help`). */
export const stampOptions = {} satisfies CommandOptions;

/** `modelship stamp`. */
export async function stampCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = commandLine(
    {
      name: 'stamp',
      help: stampHelp,
      options: stampOptions,
      positional: 'one model directory (modelship stamp DIR)',
    },
    argv,
    io,
  );
  if (!line) return 0;
  const { positional: dirArg } = line;
  const dir = resolvePath(io, dirArg);
  const schemaPath = join(dir, SCHEMA_FILE);
  const modelPath = join(dir, MODEL_FILE);
  let fingerprint: string;
  let bytes: Uint8Array;
  try {
    fingerprint = compileSchema(
      parseSchema(JSON.parse(await readFile(schemaPath, 'utf8'))),
    ).fingerprint;
  } catch (error) {
    throw failure(`${schemaPath}: ${(error as Error).message}`);
  }
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw failure(`cannot read ${modelPath}: ${(error as Error).message}`);
  }
  let stamped: Uint8Array;
  try {
    stamped = writeOnnxMetadata(bytes, { [FINGERPRINT_METADATA_KEY]: fingerprint });
  } catch (error) {
    throw failure(`${modelPath} is not an ONNX model: ${(error as Error).message}`);
  }
  await replaceFile(modelPath, stamped);
  io.out(`stamped ${modelPath} with ${FINGERPRINT_METADATA_KEY}=${fingerprint}`);
  try {
    const model = await loadModel({ dir });
    await model.release();
  } catch (error) {
    if (error instanceof ModelLoadError)
      throw failure(`stamped, but the server would refuse it: ${error.message}`);
    throw error;
  }
  io.out('ok: the server accepts the directory');
  return 0;
}

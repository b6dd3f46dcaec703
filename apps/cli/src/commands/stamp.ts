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
import { defineCommand } from '../args.ts';
import { failure } from '../errors.ts';
import { resolvePath } from '../io.ts';
import { replaceFile } from '../write-dir.ts';

/** `modelship stamp`. */
export const stampCommand = defineCommand({
  name: 'stamp',
  summary: 're-stamp the schema fingerprint after editing schema.json',
  args: ['DIR'],
  flags: {},
  description: `Stamps the fingerprint of DIR/schema.json into DIR/model.onnx (after an edit to the schema),
then checks the directory as the server would.`,
  examples: ['modelship stamp models/churn'],
  async run({ positionals: [dirArg] }, io) {
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
  },
});

// Test helpers: the foreign-model fixtures of @modelship/feature-schema (models exported with
// skl2onnx's graph layout, not trained here), stamped into a temporary model directory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSchema, FINGERPRINT_METADATA_KEY, parseSchema } from '@modelship/feature-schema';
import {
  type ForeignExpected,
  foreignExpected,
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { writeModelDir } from '@modelship/testkit';
import { writeOnnxMetadata } from '../model/onnx-metadata.ts';

export { type ForeignExpected, foreignExpected, foreignFixtures };

/** Options of {@link stampedForeignModel}. */
export interface StampedForeignOptions {
  /** Changes to the fixture's schema.json before it is written and stamped. */
  readonly editSchema?: (schema: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Copies a foreign fixture (`model.onnx` + `schema.json`) into a new temporary directory, with
 * the schema's fingerprint stamped into the model, as `modelship stamp` does: the fixtures are
 * committed as exported, without modelship metadata.
 */
export async function stampedForeignModel(
  name: string,
  options: StampedForeignOptions = {},
): Promise<string> {
  const source = foreignFixtureDir(name);
  const json = JSON.parse(await readFile(join(source, 'schema.json'), 'utf8'));
  const schema = options.editSchema ? options.editSchema(json) : json;
  const { fingerprint } = compileSchema(parseSchema(schema));
  const bytes = await readFile(join(source, 'model.onnx'));
  return writeModelDir(
    schema,
    writeOnnxMetadata(bytes, { [FINGERPRINT_METADATA_KEY]: fingerprint }),
  );
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSchema, schemaFingerprint } from '@modelship/feature-schema';
import { insuranceModelDir } from '@modelship/insurance-model';
import type { ModelMetadata } from '@modelship/k8s';

/**
 * Reads a model directory's `schema.json` and returns the model's name, version and schema
 * fingerprint (the same sha256 the training pipeline stamps into model.onnx), for the
 * Deployment's annotations. Throws if the schema is invalid.
 *
 * @param modelDir defaults to the bundled insurance model (the one baked into the image)
 */
export function readModelMetadata(modelDir: string = insuranceModelDir): ModelMetadata {
  const schema = parseSchema(JSON.parse(readFileSync(join(modelDir, 'schema.json'), 'utf8')));
  return {
    name: schema.model.name,
    version: schema.model.version,
    fingerprint: schemaFingerprint(schema),
  };
}

// Prints the fingerprint of a schema.json: the value to stamp into the ONNX model's
// metadata_props under `modelship.schema_fingerprint`.
// Usage: pnpm --filter @modelship/inference fingerprint /abs/path/to/schema.json
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  FINGERPRINT_METADATA_KEY,
  parseSchema,
  schemaFingerprint,
} from '@modelship/feature-schema';

const path = process.argv[2];
if (!path) {
  console.error('usage: fingerprint <schema.json>');
  process.exit(2);
}
const schema = parseSchema(JSON.parse(await readFile(resolve(path), 'utf8')));
console.log(`${FINGERPRINT_METADATA_KEY}=${schemaFingerprint(schema)}`);

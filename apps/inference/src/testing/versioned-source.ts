// Test helpers for versioned model sources: a version's schema, and `current` pointed at one.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { insuranceSchema } from '@modelship/insurance-model';
import { CURRENT_FILE } from '../reload/source.ts';

/** The insurance schema as version `version` (same fields, output and task). */
export const schemaOf = (version: string) => ({
  ...insuranceSchema,
  model: { ...insuranceSchema.model, version },
});

/** Points `current` at `name` the way a deployer must: write beside, then rename. */
export async function pointAt(root: string, name: string): Promise<void> {
  const tmp = join(root, `.${CURRENT_FILE}.tmp`);
  await writeFile(tmp, `${name}\n`);
  await rename(tmp, join(root, CURRENT_FILE));
}

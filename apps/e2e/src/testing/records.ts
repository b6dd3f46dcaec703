import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One field of the bundled model's schema.json (the parts the tests use). */
export interface SchemaField {
  readonly kind: 'numeric' | 'categorical' | string;
  readonly name: string;
  readonly label?: string;
  readonly dtype?: string;
  readonly min?: number;
  readonly max?: number;
  readonly levels?: readonly string[];
  readonly example?: unknown;
}

/** The bundled model's schema.json (the contract the requests are built from). */
export const bundledSchema: {
  readonly model: { readonly name: string; readonly version: string };
  readonly fields: readonly SchemaField[];
} = JSON.parse(
  readFileSync(
    fileURLToPath(import.meta.resolve('@modelship/insurance-model/model/schema.json')),
    'utf8',
  ),
);

/** A valid record: every field's documented example. */
export const validRecord: Readonly<Record<string, unknown>> = Object.fromEntries(
  bundledSchema.fields.map((field) => [field.name, field.example]),
);

/** The valid record with some fields replaced (or removed, with `undefined`). */
export function recordWith(changes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const record: Record<string, unknown> = { ...validRecord, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete record[key];
  return record;
}

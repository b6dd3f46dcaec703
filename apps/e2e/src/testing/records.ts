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

/** The Open Inference Protocol infer route of the bundled model. */
export const OIP_INFER_PATH = `/v2/models/${bundledSchema.model.name}/infer`;

/** One input tensor of an Open Inference Protocol request. */
export interface OipInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: readonly unknown[];
}

/**
 * An Open Inference Protocol request for records, one `[N, 1]` tensor per field: BYTES for
 * categorical fields, FP32 for numeric ones (the datatypes the model metadata declares).
 */
export function oipRequest(records: readonly Readonly<Record<string, unknown>>[]): {
  inputs: OipInput[];
} {
  return {
    inputs: bundledSchema.fields.map((field) => ({
      name: field.name,
      shape: [records.length, 1],
      datatype: field.kind === 'categorical' ? 'BYTES' : 'FP32',
      data: records.map((record) => record[field.name]),
    })),
  };
}

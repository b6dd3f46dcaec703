import type { ModelSchema } from './types.ts';

/** How the web form renders one field. */
export type FormField =
  | {
      readonly name: string;
      readonly label: string;
      readonly help: string;
      readonly unit?: string;
      readonly input: 'number';
      /** The HTML `step` attribute: `1` for integers, `any` for floats. */
      readonly step: 1 | 'any';
      readonly min?: number;
      readonly max?: number;
      readonly example: number;
    }
  | {
      readonly name: string;
      readonly label: string;
      readonly help: string;
      readonly input: 'select';
      readonly options: readonly { readonly value: string; readonly label: string }[];
      readonly example: string;
    };

/** Everything a web form needs to render a schema's fields and its prediction. */
export interface FormDescription {
  readonly title: string;
  readonly description?: string;
  readonly fields: readonly FormField[];
  readonly target: { readonly name: string; readonly label: string; readonly unit?: string };
}

/** Derives the form description (labels, input types, options, ranges, units, help). */
export function formDescription(schema: ModelSchema): FormDescription {
  const fields = schema.fields.map((f): FormField => {
    const common = { name: f.name, label: f.label ?? f.name, help: f.description };
    if (f.kind === 'categorical') {
      return {
        ...common,
        input: 'select',
        options: f.levels.map((value) => ({ value, label: value })),
        example: f.example,
      };
    }
    return {
      ...common,
      ...(f.unit ? { unit: f.unit } : {}),
      input: 'number',
      step: f.dtype === 'integer' ? 1 : 'any',
      ...(f.min !== undefined ? { min: f.min } : {}),
      ...(f.max !== undefined ? { max: f.max } : {}),
      example: f.example,
    };
  });
  return {
    title: schema.model.name,
    ...(schema.model.description ? { description: schema.model.description } : {}),
    fields,
    target: {
      name: schema.target.name,
      label: schema.target.description ?? schema.target.name,
      ...(schema.target.unit ? { unit: schema.target.unit } : {}),
    },
  };
}

/**
 * Converts urlencoded form values to a JSON-like record for `validate`: numeric fields are
 * parsed with `Number()` when they look numeric, empty values are dropped (so the validator
 * reports them as required), and everything else is passed through unchanged (so unparsable
 * numbers and unknown fields still get the validator's field-level errors).
 *
 * @example
 * validate(coerceFormValues(schema, { age: '40', sex: 'female', ... }))
 */
export function coerceFormValues(
  schema: ModelSchema,
  values: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const numeric = new Set(schema.fields.filter((f) => f.kind === 'numeric').map((f) => f.name));
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (value === '') continue;
    const n = Number(value);
    out[key] = numeric.has(key) && Number.isFinite(n) ? n : value;
  }
  return out;
}

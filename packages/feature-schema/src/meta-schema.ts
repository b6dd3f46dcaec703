import { z } from 'zod';

/**
 * A field name: any non-empty text, as the training data's column header has it
 * (`mean radius`, `od280/od315_of_diluted_wines`); callers send it as the JSON key.
 * `__proto__` is refused: a JavaScript object cannot hold it as a plain key.
 */
const name = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (n) => n !== '__proto__',
    'is reserved (a JavaScript object cannot hold it as a plain key): rename it',
  );
const text = z.string().min(1);

/** A numeric feature: a JSON number, optionally restricted to integers and to a range. */
export const numericFieldSchema = z.strictObject({
  kind: z.literal('numeric'),
  /** Field name as it appears in request bodies and CSV headers. */
  name,
  /** `integer` rejects fractional values (3.0 is accepted: JSON cannot tell it from 3). */
  dtype: z.enum(['float', 'integer']),
  /** Inclusive lower bound. */
  min: z.number().optional(),
  /** Inclusive upper bound. */
  max: z.number().optional(),
  /** Short human label for the form and docs; defaults to the name. */
  label: text.optional(),
  description: text,
  unit: text.optional(),
  /** A typical value: used for docs, the form and to warm the model. */
  example: z.number(),
  /**
   * Personal data, never echoed: "[redacted]" in payload logs, left out of error messages and
   * of re-rendered form pages. Absent unless set (fingerprint).
   */
  sensitive: z.boolean().optional(),
});

/** A categorical feature: a JSON string taken from a fixed set of levels. */
export const categoricalFieldSchema = z.strictObject({
  kind: z.literal('categorical'),
  name,
  /** The accepted values, in display order (also the one-hot column order). */
  levels: z.array(text).min(1),
  label: text.optional(),
  description: text,
  example: text,
  /**
   * Personal data, never echoed: "[redacted]" in payload logs, left out of error messages and
   * of re-rendered form pages. Absent unless set (fingerprint).
   */
  sensitive: z.boolean().optional(),
});

const field = z.discriminatedUnion('kind', [numericFieldSchema, categoricalFieldSchema]);

const scale = { mean: z.number().optional(), std: z.number().positive().optional() };

/**
 * One column of a matrix-layout model, computed from validated fields.
 * `numeric` and `product` columns are standardized as `(x - mean) / std` when given
 * (`mean` defaults to 0, `std` to 1); `one-hot` is 1 when the field equals `level`, else 0;
 * `threshold` is 1 when the numeric field is >= `min`, else 0 (e.g. BMI >= 30, obesity).
 */
export type MatrixFeature =
  | {
      readonly kind: 'numeric';
      readonly field: string;
      readonly mean?: number;
      readonly std?: number;
    }
  | { readonly kind: 'one-hot'; readonly field: string; readonly level: string }
  | { readonly kind: 'threshold'; readonly field: string; readonly min: number }
  | {
      readonly kind: 'product';
      readonly of: readonly MatrixFeature[];
      readonly mean?: number;
      readonly std?: number;
    };

// Recursive: zod cannot infer its type, so it is declared above and checked against it.
const matrixFeature: z.ZodType<MatrixFeature> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('numeric'), field: name, ...scale }),
    z.strictObject({ kind: z.literal('one-hot'), field: name, level: text }),
    z.strictObject({ kind: z.literal('threshold'), field: name, min: z.number() }),
    z.strictObject({ kind: z.literal('product'), of: z.array(matrixFeature).min(2), ...scale }),
  ]),
);

/**
 * ONNX element types a per-field input tensor may have. Numeric fields may use `float32`,
 * `float64` or (integer fields only) `int64`; categorical fields use `string`.
 */
export const tensorTypeSchema = z.enum(['float32', 'float64', 'int64', 'string']);

/**
 * Layout (a): one ONNX input per field, shape [N,1], all preprocessing inside the graph
 * (what skl2onnx produces for a ColumnTransformer pipeline).
 */
export const perFieldLayoutSchema = z.strictObject({
  layout: z.literal('per-field'),
  /** How each field feeds one ONNX input. */
  inputs: z.array(z.strictObject({ field: name, input: text, type: tensorTypeSchema })).min(1),
});

/** ONNX element types of a matrix input: float32 (the default) or float64, or int64 for integer fields. */
export const matrixTensorTypeSchema = z.enum(['float32', 'float64', 'int64']);

/**
 * Layout (b): one matrix input [N,D] built by the schema's encoder, D being the number
 * of `features` (float32 unless `type` says otherwise).
 *
 * @example
 * { layout: 'matrix', input: 'X', features: [
 *   { kind: 'numeric', field: 'age', mean: 39.2, std: 14.0 },
 *   { kind: 'one-hot', field: 'smoker', level: 'yes' },
 *   { kind: 'product', of: [{ kind: 'one-hot', field: 'smoker', level: 'yes' },
 *                           { kind: 'numeric', field: 'bmi' }] },
 * ] }
 */
export const matrixLayoutSchema = z.strictObject({
  layout: z.literal('matrix'),
  input: text,
  /** The input's element type. Absent means float32. int64 takes plain integer fields only. */
  type: matrixTensorTypeSchema.optional(),
  features: z.array(matrixFeature).min(1),
});

type Ctx = z.core.$RefinementCtx<z.infer<typeof modelSchemaShape>>;

/**
 * The ONNX outputs a model is read from.
 * - regression: `name` holds the prediction, float32/float64, shape [N,1] or [N];
 * - classification: `name` holds the predicted class (int64 or string, [N] or [N,1]) and
 *   `probabilities` the class probabilities: a float [N,C] tensor, or a ZipMap
 *   `seq(map(int64|string, float))` as skl2onnx exports by default. A graph without a label
 *   output (a softmax classifier) declares `label: 'argmax'` and `name` equal to
 *   `probabilities`: the server predicts the class of the highest probability.
 */
export const modelOutputSchema = z.strictObject({
  /** The ONNX output holding the prediction (regression) or the predicted class label. */
  name: text,
  /** Classification only: the ONNX output holding the class probabilities. */
  probabilities: text.optional(),
  /**
   * Classification only: `argmax` when the graph has no label output: the label is the class
   * of the highest probability (the first one on a tie), computed by the server.
   */
  label: z.literal('argmax').optional(),
  /**
   * Classification only: the class labels in the order of the probability columns. When
   * omitted, the server reads them from the graph (the ZipMap's or the classifier node's
   * `classlabels_*` attributes); when given, they must agree with the graph's, except that
   * names may be given for a graph's integer labels (`["malignant", "benign"]` for 0 and 1).
   */
  classes: z
    .union([z.array(text).min(2), z.array(z.number().int().refine(Number.isSafeInteger)).min(2)], {
      error: 'must be at least 2 class labels, all strings or all integers',
    })
    .optional(),
});

/**
 * A model's complete, JSON-serializable feature contract (`schema.json`): its structure. The
 * consistency checks that span several parts follow in {@link modelSchemaSchema}.
 *
 * Format 1 (no `task`) is a regression model; format 2 declares `task` (`regression` or
 * `classification`). A format-1 file keeps loading, and keeps its fingerprint, unchanged.
 */
export const modelSchemaShape = z.strictObject({
  /** The versions of the `schema.json` format this package reads. */
  schemaVersion: z.union([z.literal(1), z.literal(2)], {
    error: 'must be 1 or 2 (the versions of the schema.json format this server reads)',
  }),
  /** What a model predicts. Format 2 only (required there); format 1 means regression. */
  task: z.enum(['regression', 'classification']).optional(),
  model: z.strictObject({ name: text, version: text, description: text.optional() }),
  fields: z.array(field).min(1),
  target: z.strictObject({ name: text, unit: text.optional(), description: text.optional() }),
  inputs: z.discriminatedUnion('layout', [perFieldLayoutSchema, matrixLayoutSchema]),
  /** The ONNX output(s) holding the prediction. */
  output: modelOutputSchema,
});

/** Format 1 has no `task` (regression); format 2 requires one; outputs must fit the task. */
function checkTask(
  s: z.infer<typeof modelSchemaShape>,
  issue: (path: PropertyKey[], message: string) => void,
) {
  if (s.schemaVersion === 1 && s.task !== undefined) {
    issue(['task'], 'needs schemaVersion 2 (format 1 is regression only)');
  }
  if (s.schemaVersion === 2 && s.task === undefined) {
    issue(['task'], "is required by schemaVersion 2: 'regression' or 'classification'");
  }
  if (s.task === 'classification') {
    if (s.output.probabilities === undefined) {
      issue(['output', 'probabilities'], 'a classification model needs its probabilities output');
    } else if (s.output.label === 'argmax') {
      if (s.output.probabilities !== s.output.name) {
        issue(
          ['output', 'name'],
          "must equal output.probabilities with label 'argmax' (the graph has no label output)",
        );
      }
    } else if (s.output.probabilities === s.output.name) {
      issue(['output', 'probabilities'], 'must differ from output.name (the label output)');
    }
    const classes: readonly (string | number)[] = s.output.classes ?? [];
    if (new Set(classes).size !== classes.length) {
      issue(['output', 'classes'], 'class labels must be unique');
    }
  } else {
    for (const key of ['probabilities', 'label', 'classes'] as const) {
      if (s.output[key] !== undefined) {
        issue(['output', key], 'only a classification model (task: classification) has it');
      }
    }
  }
}

/** Checks that need more than one part of the schema: names, ranges, examples, mappings. */
function crossCheck(s: z.infer<typeof modelSchemaShape>, ctx: Ctx): void {
  const fields = new Map(s.fields.map((f) => [f.name, f]));
  const issue = (path: PropertyKey[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  checkTask(s, issue);

  s.fields.forEach((f, i) => {
    if (s.fields.findIndex((g) => g.name === f.name) !== i) {
      issue(['fields', i, 'name'], `duplicate field '${f.name}'`);
    }
    if (f.kind === 'numeric') {
      if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
        issue(['fields', i, 'min'], `min (${f.min}) must be <= max (${f.max})`);
      }
      if (f.dtype === 'integer' && !Number.isInteger(f.example)) {
        issue(['fields', i, 'example'], 'must be an integer');
      }
      if (
        (f.min !== undefined && f.example < f.min) ||
        (f.max !== undefined && f.example > f.max)
      ) {
        issue(['fields', i, 'example'], 'must lie within [min, max]');
      }
    } else {
      if (new Set(f.levels).size !== f.levels.length) {
        issue(['fields', i, 'levels'], 'levels must be unique');
      }
      if (!f.levels.includes(f.example)) {
        issue(['fields', i, 'example'], 'must be one of the levels');
      }
    }
  });

  if (s.inputs.layout === 'per-field') {
    const seenFields = new Set<string>();
    const seenInputs = new Set<string>();
    s.inputs.inputs.forEach((m, i) => {
      const f = fields.get(m.field);
      if (!f) issue(['inputs', 'inputs', i, 'field'], `unknown field '${m.field}'`);
      else if (f.kind === 'categorical' && m.type !== 'string') {
        issue(['inputs', 'inputs', i, 'type'], 'a categorical field needs a string tensor');
      } else if (f.kind === 'numeric' && m.type === 'string') {
        issue(['inputs', 'inputs', i, 'type'], 'a numeric field needs a numeric tensor');
      } else if (f.kind === 'numeric' && m.type === 'int64' && f.dtype !== 'integer') {
        issue(['inputs', 'inputs', i, 'type'], 'int64 needs an integer field');
      }
      if (seenFields.has(m.field)) issue(['inputs', 'inputs', i, 'field'], 'mapped twice');
      if (seenInputs.has(m.input)) issue(['inputs', 'inputs', i, 'input'], 'duplicate input');
      seenFields.add(m.field);
      seenInputs.add(m.input);
    });
    for (const f of s.fields) {
      if (!seenFields.has(f.name)) issue(['inputs', 'inputs'], `field '${f.name}' is not mapped`);
    }
  } else {
    const check = (feature: MatrixFeature, path: PropertyKey[]): void => {
      if (feature.kind === 'product') {
        feature.of.forEach((g, j) => {
          check(g, [...path, 'of', j]);
        });
        return;
      }
      const f = fields.get(feature.field);
      if (!f) {
        issue([...path, 'field'], `unknown field '${feature.field}'`);
        return;
      }
      if ((feature.kind === 'numeric' || feature.kind === 'threshold') && f.kind !== 'numeric') {
        issue([...path, 'field'], `'${f.name}' is not numeric`);
      }
      if (feature.kind === 'one-hot') {
        if (f.kind !== 'categorical') issue([...path, 'field'], `'${f.name}' is not categorical`);
        else if (!f.levels.includes(feature.level)) {
          issue([...path, 'level'], `'${feature.level}' is not a level of '${f.name}'`);
        }
      }
    };
    s.inputs.features.forEach((feature, i) => {
      check(feature, ['inputs', 'features', i]);
      if (s.inputs.layout === 'matrix' && s.inputs.type === 'int64') {
        const f = feature.kind === 'numeric' ? fields.get(feature.field) : undefined;
        const plain =
          feature.kind === 'numeric' && feature.mean === undefined && feature.std === undefined;
        if (!plain || f?.kind !== 'numeric' || f.dtype !== 'integer') {
          issue(
            ['inputs', 'features', i],
            'an int64 matrix takes integer fields as they are (kind numeric, no mean or std)',
          );
        }
      }
    });
  }
}

/** The zod schema of `schema.json` itself (structure plus cross-field consistency). */
export const modelSchemaSchema = modelSchemaShape.superRefine(crossCheck);

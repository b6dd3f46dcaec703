// Test helpers: a model directory around one of testkit's dense models (one [N, F] input, as
// PyTorch, Keras and the tree converters export), with the schema `modelship init` writes for
// it: the fields as the data names them, each fed to one column as it is.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ClassLabel,
  compileSchema,
  type ModelSchema,
  parseSchema,
} from '@modelship/feature-schema';
import {
  type DenseModel,
  type DenseModelOptions,
  denseModel,
  writeModelDir,
} from '@modelship/testkit';

/** Options of {@link denseModelDir}. */
export interface DenseModelDirOptions extends Omit<DenseModelOptions, 'fingerprint'> {
  /** The field names, one per column. @default `column 0`, `column 1`, ... */
  readonly fields?: readonly string[];
  /** Classifiers: the class labels declared in `output.classes`. @default 0, 1, ... */
  readonly classLabels?: readonly ClassLabel[];
  /** @default 'target' */
  readonly target?: string;
}

/** A model directory, its schema and the model's JavaScript twin. */
export interface DenseModelDir {
  readonly dir: string;
  readonly schema: ModelSchema;
  readonly model: DenseModel;
}

/** The schema of a dense model: numeric fields fed as they are, the task's outputs. */
export function denseSchema(options: DenseModelDirOptions): ModelSchema {
  const { kind, features, inputType = 'float32' } = options;
  const names = options.fields ?? Array.from({ length: features }, (_, i) => `column ${i}`);
  const classes = options.classLabels ?? Array.from({ length: options.classes ?? 2 }, (_, i) => i);
  const output =
    kind === 'regression'
      ? { name: 'output' }
      : kind === 'probabilities'
        ? { name: 'probabilities', probabilities: 'probabilities', label: 'argmax', classes }
        : { name: 'label', probabilities: 'probabilities', classes };
  return parseSchema({
    schemaVersion: 2,
    task: kind === 'regression' ? 'regression' : 'classification',
    model: { name: 'dense', version: '1.0.0' },
    fields: names.map((name, i) => ({
      kind: 'numeric',
      name,
      dtype: inputType === 'int64' ? 'integer' : 'float',
      description: `Column ${i}.`,
      example: i % 3,
    })),
    target: { name: options.target ?? 'target' },
    inputs: {
      layout: 'matrix',
      input: 'input',
      ...(inputType === 'float32' ? {} : { type: inputType }),
      features: names.map((field) => ({ kind: 'numeric', field })),
    },
    output,
  });
}

/** Writes a dense model, stamped for its schema, with its side files, into a new directory. */
export async function denseModelDir(options: DenseModelDirOptions): Promise<DenseModelDir> {
  const schema = denseSchema(options);
  const model = denseModel({ ...options, fingerprint: compileSchema(schema).fingerprint });
  const dir = await writeModelDir(schema, model.bytes);
  for (const [name, bytes] of Object.entries(model.sideFiles)) {
    await writeFile(join(dir, name), bytes);
  }
  return { dir, schema, model };
}

/** The rows of records, in the schema's field order. */
export const rowsOf = (schema: ModelSchema, records: readonly Record<string, number | string>[]) =>
  records.map((r) => schema.fields.map((f) => Number(r[f.name])));

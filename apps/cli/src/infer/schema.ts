import { basename } from 'node:path';
import type { Field, ModelSchema, PerFieldInput } from '@modelship/feature-schema';
import { failure } from '../errors.ts';
import { type DataTable, levelsSeen, numericStats } from './data.ts';
import type { GraphDescription, GraphInput } from './graph.ts';

/** Options of {@link inferSchema}. */
export interface InferSchemaOptions {
  readonly graph: GraphDescription;
  /** The training data (already checked to hold every input's column). */
  readonly data?: DataTable;
  /** The target column (`--target`). */
  readonly target?: string;
  readonly name: string;
  readonly version: string;
  /** The model file's name, for descriptions. */
  readonly source: string;
}

/** One row of the table `init` prints: a field and where each part of it came from. */
export interface InferredField {
  readonly field: string;
  readonly input: string;
  readonly kind: string;
  readonly values: string;
  readonly example: string;
  readonly from: string;
}

/** A schema field name for an ONNX input name (`input:0` → `input_0`). */
export function fieldName(input: string): string {
  const name = input.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function numericField(input: GraphInput, name: string, data: DataTable | undefined) {
  const stats = data ? numericStats(data, name) : undefined;
  if (stats && input.type === 'int64' && !stats.integers) {
    throw failure(
      `${data?.path}, column "${name}": the model's input "${input.name}" is int64 but the data holds fractional values`,
    );
  }
  const dtype: 'integer' | 'float' =
    input.type === 'int64' || stats?.integers ? 'integer' : 'float';
  const field: Field = {
    kind: 'numeric',
    name,
    dtype,
    ...(stats ? { min: stats.min, max: stats.max } : {}),
    description: `Input "${input.name}" (${input.type}).`,
    example: stats?.example ?? 0,
  };
  const row: InferredField = {
    field: name,
    input: `${input.name} ${input.type}`,
    kind: `numeric ${dtype}`,
    values: stats ? `${stats.min} .. ${stats.max}` : 'any',
    example: String(field.example),
    from: stats
      ? `graph type; range and example from ${basename(data?.path ?? '')}`
      : 'graph type (no --data: no range)',
  };
  return { field, row };
}

function categoricalField(input: GraphInput, name: string, data: DataTable | undefined) {
  const seen = data ? levelsSeen(data, name) : [];
  const levels = input.levels ?? seen;
  if (levels.length === 0) {
    throw failure(
      data
        ? `field "${name}": the graph lists no categories for input "${input.name}" and ${data.path} has no values in column "${name}"`
        : `field "${name}": the graph lists no categories for input "${input.name}": give --data with a "${name}" column (the levels seen there become the field's levels)`,
    );
  }
  const unknown = seen.filter((level) => !levels.includes(level));
  const example = seen.find((level) => levels.includes(level)) ?? (levels[0] as string);
  const field: Field = {
    kind: 'categorical',
    name,
    levels: [...levels],
    description: `Input "${input.name}" (string).`,
    example,
  };
  const row: InferredField = {
    field: name,
    input: `${input.name} string`,
    kind: 'categorical',
    values: levels.join(', '),
    example,
    from:
      (input.levels ? 'levels from the graph' : `levels seen in ${basename(data?.path ?? '')}`) +
      (unknown.length ? ` (data levels unknown to the model, ignored: ${unknown.join(', ')})` : ''),
  };
  return { field, row };
}

/**
 * Infers `schema.json` from a model's graph, refined by its training data: one field per
 * input (numeric for float and int64 inputs, categorical for strings, with the graph's
 * categories or the data's levels), numeric ranges, integer-or-float and examples from the
 * data, and the task and outputs from the graph (format 2).
 *
 * @throws {CliError} (exit 1) naming the field that cannot be inferred and what supplies it.
 */
export function inferSchema(options: InferSchemaOptions): {
  schema: ModelSchema;
  fields: InferredField[];
} {
  const { graph, data, target, name, version, source } = options;
  const fields: Field[] = [];
  const mapping: PerFieldInput[] = [];
  const rows: InferredField[] = [];
  for (const input of graph.inputs) {
    const fieldNameOf = fieldName(input.name);
    const { field, row } =
      input.type === 'string'
        ? categoricalField(input, fieldNameOf, data)
        : numericField(input, fieldNameOf, data);
    fields.push(field);
    rows.push(row);
    mapping.push({ field: field.name, input: input.name, type: input.type });
  }
  const { task } = graph;
  const targetName = target ?? (task.kind === 'classification' ? 'class' : 'prediction');
  const schema: ModelSchema = {
    schemaVersion: 2,
    task: task.kind,
    model: { name, version, description: `Imported from ${source} by modelship init.` },
    fields,
    target: { name: targetName },
    inputs: { layout: 'per-field', inputs: mapping },
    output:
      task.kind === 'regression'
        ? { name: task.output }
        : { name: task.label, probabilities: task.probabilities },
  };
  if (task.kind === 'classification' && !task.classes) {
    throw failure(
      `${source}: the graph carries no class labels (no classlabels_* attribute on its classifier or ZipMap), so init cannot infer output.classes: write schema.json by hand with output.classes in probability-column order, then run modelship stamp`,
    );
  }
  return { schema, fields: rows };
}

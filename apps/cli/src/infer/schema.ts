import { basename } from 'node:path';
import type {
  ClassLabel,
  Field,
  MatrixLayout,
  ModelSchema,
  PerFieldInput,
} from '@modelship/feature-schema';
import { failure, usageError } from '../errors.ts';
import { type DataTable, levelsSeen, numericStats } from './data.ts';
import type { GraphDescription, GraphInput, GraphMatrix, GraphTask } from './graph.ts';

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
  /** `--features`: the columns of an `[N, F]` input, in the model's order. */
  readonly features?: readonly string[];
  /** `--task`: what the model predicts, when given. */
  readonly task?: 'classification' | 'regression';
  /** `--classes`: the class labels in probability-column order (names for integer labels). */
  readonly classes?: readonly string[];
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

/**
 * A schema field name for an ONNX input name: the name itself when the data has a column of
 * that name (`mean radius`), else an identifier (`input:0` → `input_0`).
 */
export function fieldName(input: string, data?: Pick<DataTable, 'columns'>): string {
  if (data?.columns.includes(input) && input !== '__proto__') return input;
  const name = input.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function numericField(
  input: Pick<GraphInput, 'name' | 'type'>,
  name: string,
  data: DataTable | undefined,
) {
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

/** The columns an `[N, F]` input takes: `--features`, else the data's non-target columns. */
function matrixColumns(matrix: GraphMatrix, options: InferSchemaOptions): string[] {
  const { data, target, features } = options;
  const columns = features ? [...features] : (data?.columns.filter((c) => c !== target) ?? []);
  if (matrix.width !== undefined && columns.length !== matrix.width) {
    const given = features
      ? `--features names ${columns.length}`
      : `${basename(data?.path ?? '')} has ${columns.length} columns${target === undefined ? '' : ` besides the target "${target}"`} (${columns.join(', ')})`;
    const fix = features
      ? `list exactly the model's ${matrix.width} columns`
      : `give --target (the column the model predicts) and --features with the model's ${matrix.width} columns`;
    throw failure(
      `the model's input "${matrix.name}" has ${matrix.width} columns but ${given}: ${fix}, in the model's order`,
    );
  }
  if (new Set(columns).size !== columns.length) {
    throw usageError(`--features names a column twice (${columns.join(', ')})`);
  }
  return columns;
}

/** Numeric fields for the matrix's columns, each fed to the model as it is (no scaling). */
function matrixFields(matrix: GraphMatrix, options: InferSchemaOptions) {
  const columns = matrixColumns(matrix, options);
  const fields: Field[] = [];
  const rows: InferredField[] = [];
  columns.forEach((column, j) => {
    const { field, row } = numericField(
      { name: matrix.name, type: matrix.type },
      column,
      options.data,
    );
    fields.push({
      ...field,
      description: `Column ${j} of input "${matrix.name}" (${matrix.type}).`,
    });
    rows.push({ ...row, input: `${matrix.name}[:, ${j}] ${matrix.type}` });
  });
  const layout: MatrixLayout = {
    layout: 'matrix',
    input: matrix.name,
    ...(matrix.type === 'float32' ? {} : { type: matrix.type }),
    features: columns.map((field) => ({ kind: 'numeric', field })),
  };
  return { fields, rows, layout };
}

/** `--classes` as labels: integers when every one is an integer, else strings. */
function parseClasses(classes: readonly string[]): ClassLabel[] {
  return classes.every((c) => /^-?\d+$/.test(c)) ? classes.map(Number) : [...classes];
}

/**
 * The distinct values of the target column, sorted as scikit-learn's LabelEncoder sorts them:
 * numbers numerically (integers as numbers), strings by code unit.
 */
export function targetClasses(data: DataTable, target: string): ClassLabel[] {
  const values = [...new Set(data.rows.map((row) => row[target] ?? '').filter((v) => v !== ''))];
  const numbers = values.map(Number);
  if (numbers.every(Number.isFinite)) {
    const order = values
      .map((v, i) => [v, numbers[i] as number] as const)
      .sort((a, b) => a[1] - b[1]);
    return order.every(([, n]) => Number.isInteger(n))
      ? order.map(([, n]) => n)
      : order.map(([v]) => v);
  }
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const list = (labels: readonly ClassLabel[]) => labels.map(String).join(', ');

/**
 * The class labels to declare in `output.classes`: `--classes`, else (when the graph names no
 * classes) the target column's values; `undefined` to read them from the graph.
 */
function declaredClasses(
  task: Extract<GraphTask, { kind: 'classification' }>,
  options: InferSchemaOptions,
): ClassLabel[] | undefined {
  const { data, target, source } = options;
  const columns = task.columns ?? task.classes?.length;
  if (options.classes) {
    const classes = parseClasses(options.classes);
    if (columns !== undefined && classes.length !== columns) {
      throw usageError(
        `--classes names ${classes.length} classes but the model's probabilities have ${columns} columns: give one label per column, in column order`,
      );
    }
    const graph = task.classes;
    if (graph && typeof graph[0] === 'string' && list(graph) !== list(classes)) {
      throw usageError(
        `--classes ${list(classes)}: the graph names its classes itself (${list(graph)}): leave out --classes`,
      );
    }
    return classes;
  }
  if (task.classes) return undefined;
  if (!data || target === undefined) {
    throw failure(
      `${source}: the graph carries no class labels: give --classes a,b,c (one per probability column, in column order), or --data CSV --target COLUMN (the target's distinct values, sorted as LabelEncoder sorts them)`,
    );
  }
  const seen = targetClasses(data, target);
  if (columns !== undefined && seen.length !== columns) {
    throw failure(
      `the target column "${target}" of ${basename(data.path)} has ${seen.length} distinct values but the model's probabilities have ${columns} columns: give --classes a,b,c (one per column, in column order)`,
    );
  }
  return seen;
}

/** The schema's `output` for the graph's task, with the classes to declare. */
function outputOf(
  task: GraphTask,
  classes: readonly ClassLabel[] | undefined,
): ModelSchema['output'] {
  if (task.kind === 'regression') return { name: task.output };
  const declared = classes ? { classes: [...classes] as string[] | number[] } : {};
  if (task.label === undefined) {
    return {
      name: task.probabilities,
      probabilities: task.probabilities,
      label: 'argmax',
      ...declared,
    };
  }
  return { name: task.label, probabilities: task.probabilities, ...declared };
}

/** Refuses `--task` when the graph's outputs say otherwise, naming them. */
function checkTask(task: GraphTask, wanted: InferSchemaOptions['task'], source: string): void {
  if (wanted === undefined || wanted === task.kind) return;
  throw usageError(
    wanted === 'classification'
      ? `--task classification: ${source} outputs one value per row ("${task.kind === 'regression' ? task.output : ''}"); a classifier needs its class probabilities as an [N, C] output (export the softmax over the C classes)`
      : `--task regression: ${source} outputs class probabilities ("${task.kind === 'classification' ? task.probabilities : ''}"); a regression model outputs one value per row: leave out --task, or export the regression model`,
  );
}

/**
 * Infers `schema.json` from a model's graph, refined by its training data: one field per
 * `[N, 1]` input (numeric for float and int64 inputs, categorical for strings, with the graph's
 * categories or the data's levels), or one numeric field per column of an `[N, F]` input (the
 * data's columns besides the target, in file order, or `--features`; fed as they are);
 * numeric ranges, integer-or-float and examples from the data; the task and outputs from the
 * graph (format 2), classes from the graph, `--classes` or the target column.
 *
 * @throws {CliError} naming the field that cannot be inferred and what supplies it.
 */
export function inferSchema(options: InferSchemaOptions): {
  schema: ModelSchema;
  fields: InferredField[];
  classes: readonly ClassLabel[] | undefined;
} {
  const { graph, data, target, name, version, source } = options;
  const { task } = graph;
  checkTask(task, options.task, source);
  if (task.kind === 'regression' && options.classes) {
    throw usageError(
      `--classes: ${source} is a regression model (one value per row): leave out --classes`,
    );
  }
  let fields: Field[] = [];
  let rows: InferredField[] = [];
  let inputs: ModelSchema['inputs'];
  if (graph.matrix) {
    const matrix = matrixFields(graph.matrix, options);
    ({ fields, rows } = matrix);
    inputs = matrix.layout;
  } else {
    const mapping: PerFieldInput[] = [];
    for (const input of graph.inputs) {
      const fieldNameOf = fieldName(input.name, data);
      const { field, row } =
        input.type === 'string'
          ? categoricalField(input, fieldNameOf, data)
          : numericField(input, fieldNameOf, data);
      fields.push(field);
      rows.push(row);
      mapping.push({ field: field.name, input: input.name, type: input.type });
    }
    inputs = { layout: 'per-field', inputs: mapping };
  }
  const declared = task.kind === 'classification' ? declaredClasses(task, options) : undefined;
  const targetName = target ?? (task.kind === 'classification' ? 'class' : 'prediction');
  const schema: ModelSchema = {
    schemaVersion: 2,
    task: task.kind,
    model: { name, version, description: `Imported from ${source} by modelship init.` },
    fields,
    target: { name: targetName },
    inputs,
    output: outputOf(task, declared),
  };
  const classes = task.kind === 'classification' ? (declared ?? task.classes) : undefined;
  return { schema, fields: rows, classes };
}

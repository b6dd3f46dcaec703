import type { MatrixFeature, ModelSchema } from '@modelship/feature-schema';
import { type GraphView, numbers, type OnnxNode, scalar } from './onnx-graph.ts';

/** Per column of a tensor, the fields (indices into `schema.fields`) its value depends on. */
export type ColumnFields = readonly (readonly number[])[];

/** Element-wise ops with one data input: each output column depends on its input column. */
const ELEMENTWISE = new Set([
  'Identity',
  'Cast',
  'Abs',
  'Neg',
  'Sqrt',
  'Log',
  'Exp',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Not',
  'Relu',
  'Sigmoid',
  'Tanh',
  'Reciprocal',
  'Scaler',
  'Binarizer',
  'Imputer',
  'LabelEncoder',
]);
/** Element-wise ops with two inputs (numpy broadcasting). */
const BINARY = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'Equal',
  'And',
  'Or',
]);

const union = (a: readonly number[], b: readonly number[]) =>
  [...new Set([...a, ...b])].sort((x, y) => x - y);

function featureFields(feature: MatrixFeature, index: ReadonlyMap<string, number>): number[] {
  if (feature.kind === 'product') {
    return feature.of.map((g) => featureFields(g, index)).reduce(union, []);
  }
  return [index.get(feature.field) as number];
}

/**
 * Which fields each column of `tensor` depends on, traced back through the graph to the
 * schema's inputs over a known set of ops (element-wise ops and encoders, Concat, Reshape,
 * OneHotEncoder, broadcasting arithmetic). `undefined` when the trace meets anything else:
 * the caller must then treat the model as a black box.
 */
export function columnFields(
  view: GraphView,
  schema: ModelSchema,
  tensor: string,
): ColumnFields | undefined {
  const index = new Map(schema.fields.map((f, i) => [f.name, i]));
  const memo = new Map<string, ColumnFields | 'constant' | undefined>();
  const inputs = new Map<string, ColumnFields>();
  if (schema.inputs.layout === 'per-field') {
    for (const m of schema.inputs.inputs) inputs.set(m.input, [[index.get(m.field) as number]]);
  } else {
    inputs.set(
      schema.inputs.input,
      schema.inputs.features.map((f) => featureFields(f, index)),
    );
  }

  const trace = (name: string): ColumnFields | 'constant' | undefined => {
    if (memo.has(name)) return memo.get(name);
    memo.set(name, undefined); // a cycle cannot be traced
    const result = inputs.get(name) ?? (view.constants.has(name) ? 'constant' : traceNode(name));
    memo.set(name, result);
    return result;
  };

  const traceNode = (name: string): ColumnFields | undefined => {
    const node = view.producer.get(name);
    if (!node || node.output?.[0] !== name) return undefined;
    const data = (i: number) => {
      const t = trace(node.input?.[i] ?? '');
      return t === 'constant' ? undefined : t;
    };
    const op = node.opType ?? '';
    if (ELEMENTWISE.has(op)) return data(0);
    if (BINARY.has(op))
      return broadcast(trace(node.input?.[0] ?? ''), trace(node.input?.[1] ?? ''));
    if (op === 'Concat')
      return concat(
        node,
        (node.input ?? []).map((_, i) => data(i)),
      );
    if (op === 'Reshape' || op === 'Flatten') return reshaped(view, node, data(0));
    if (op === 'OneHotEncoder') {
      const input = data(0);
      const cats = Math.max(numbers(node, 'cats_int64s').length, oneHotCats(node));
      if (input?.length !== 1 || cats === 0) return undefined;
      return Array.from({ length: cats }, () => input[0] as readonly number[]);
    }
    return undefined;
  };

  const result = trace(tensor);
  return result === 'constant' ? undefined : result;
}

function oneHotCats(node: OnnxNode): number {
  return node.attribute?.find((a) => a.name === 'cats_strings')?.strings?.length ?? 0;
}

function broadcast(
  a: ColumnFields | 'constant' | undefined,
  b: ColumnFields | 'constant' | undefined,
): ColumnFields | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === 'constant') return b === 'constant' ? undefined : b;
  if (b === 'constant') return a;
  if (a.length === b.length) return a.map((fields, i) => union(fields, b[i] as readonly number[]));
  if (a.length === 1) return b.map((fields) => union(fields, a[0] as readonly number[]));
  if (b.length === 1) return a.map((fields) => union(fields, b[0] as readonly number[]));
  return undefined;
}

function concat(node: OnnxNode, parts: (ColumnFields | undefined)[]): ColumnFields | undefined {
  const axis = scalar(node, 'axis', 1);
  if (axis !== 1 && axis !== -1) return undefined;
  if (parts.some((p) => p === undefined)) return undefined;
  return (parts as ColumnFields[]).flat();
}

/** A reshape to `[N, C]` (or `[-1, C]`) of C columns keeps them; anything else is unknown. */
function reshaped(
  view: GraphView,
  node: OnnxNode,
  input: ColumnFields | undefined,
): ColumnFields | undefined {
  if (!input) return undefined;
  if (node.opType === 'Flatten') return scalar(node, 'axis', 1) === 1 ? input : undefined;
  const shape = view.constants.get(node.input?.[1] ?? '')?.values;
  if (shape?.length !== 2) return undefined;
  const [rows, cols] = shape as [number, number];
  const keepsRows = rows === -1 || rows === 0;
  return keepsRows && (cols === input.length || (cols === -1 && rows !== -1)) ? input : undefined;
}

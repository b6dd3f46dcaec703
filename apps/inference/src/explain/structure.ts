import type { ModelSchema } from '@modelship/feature-schema';
import type { ServedTask } from '../model/task.ts';
import { type ColumnFields, columnFields } from './columns.ts';
import { type GraphView, numbers, type OnnxNode, scalar, stringAttribute } from './onnx-graph.ts';
import { readTreeEnsemble, type TreeEnsemble } from './tree-ensemble.ts';

/** Ops that pass a tensor's values through unchanged (up to shape and element type). */
const PASS = new Set(['Identity', 'Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** A linear function of encoded columns: `out[k] = Σ_c weights[k][c] · col[c] + bias[k]`. */
export interface LinearHead {
  readonly kind: 'linear';
  readonly columns: string;
  readonly fields: ColumnFields;
  readonly weights: readonly (readonly number[])[];
  readonly bias: readonly number[];
}

/** A tree ensemble over encoded columns. */
export interface TreeHead {
  readonly kind: 'trees';
  readonly columns: string;
  readonly fields: ColumnFields;
  readonly ensemble: TreeEnsemble;
}

/** What the explainer knows of a model's graph. */
export interface GraphStructure {
  /** The model's last computing node, when it is a linear function or a tree ensemble. */
  readonly head: LinearHead | TreeHead | undefined;
  /** Why a tree ensemble head could not be read (the explainer falls back and says so). */
  readonly note?: string;
  /**
   * A classifier node whose scores pass through a LOGISTIC/SOFTMAX post-transform (or a
   * Normalizer) before they become the probabilities: the tensor of its scores, the raw
   * margins once its `post_transform` is `NONE`.
   */
  readonly margin: { readonly scores: string; readonly node: OnnxNode } | undefined;
}

/** The node that computes `name`, skipping pass-through ops. */
function source(view: GraphView, name: string): { node: OnnxNode; output: number } | undefined {
  let current = name;
  for (;;) {
    const node = view.producer.get(current);
    if (!node) return undefined;
    if (!PASS.has(node.opType ?? '')) {
      return { node, output: (node.output ?? []).indexOf(current) };
    }
    current = node.input?.[0] ?? '';
  }
}

const rows = (values: readonly number[], k: number) =>
  Array.from({ length: k }, (_, i) =>
    values.slice((i * values.length) / k, ((i + 1) * values.length) / k),
  );

/** MatMul(cols, W) [+ Add(b)] or Gemm: one output column (regression). */
function matMulHead(view: GraphView, schema: ModelSchema, node: OnnxNode): LinearHead | undefined {
  let bias = [0];
  let product = node;
  if (node.opType === 'Add') {
    const [left, right] = node.input ?? [];
    const constant = [left, right].find((n) => view.constants.has(n ?? ''));
    const other = [left, right].find((n) => !view.constants.has(n ?? ''));
    const b = view.constants.get(constant ?? '')?.values;
    const inner = other ? view.producer.get(other) : undefined;
    if (b?.length !== 1 || !inner) return undefined;
    bias = [b[0] as number];
    product = inner;
  }
  const [columns = '', w = '', c] = product.input ?? [];
  const weights = view.constants.get(w);
  if (!weights || weights.values.length === 0) return undefined;
  let values = weights.values;
  if (product.opType === 'MatMul') {
    if (weights.dims[1] !== undefined && weights.dims[1] !== 1) return undefined;
  } else if (product.opType === 'Gemm') {
    if (scalar(product, 'transA', 0) !== 0) return undefined;
    const alpha = scalar(product, 'alpha', 1);
    const beta = scalar(product, 'beta', 1);
    const transB = scalar(product, 'transB', 0) === 1;
    const outputs = transB ? weights.dims[0] : weights.dims[1];
    if (outputs !== 1) return undefined;
    values = values.map((v) => v * alpha);
    const gemmBias = c === undefined ? [0] : view.constants.get(c)?.values;
    if (gemmBias?.length !== 1) return undefined;
    bias = [(bias[0] as number) + beta * (gemmBias[0] as number)];
  } else {
    return undefined;
  }
  const fields = columnFields(view, schema, columns);
  if (fields?.length !== values.length) return undefined;
  return { kind: 'linear', columns, fields, weights: [values], bias };
}

/** A LinearRegressor/LinearClassifier node as a head, one row of weights per output. */
function linearNodeHead(
  view: GraphView,
  schema: ModelSchema,
  node: OnnxNode,
  outputs: number,
): LinearHead | undefined {
  const columns = node.input?.[0] ?? '';
  const fields = columnFields(view, schema, columns);
  const coefficients = numbers(node, 'coefficients');
  const intercepts = numbers(node, 'intercepts');
  if (!fields || coefficients.length !== outputs * fields.length) return undefined;
  return {
    kind: 'linear',
    columns,
    fields,
    weights: rows(coefficients, outputs),
    bias: Array.from({ length: outputs }, (_, k) => intercepts[k] ?? 0),
  };
}

/** A tree ensemble node as a head, or why its trees cannot be read (logged by the caller). */
function treeHead(
  view: GraphView,
  schema: ModelSchema,
  node: OnnxNode,
  outputs: number,
): TreeHead | string | undefined {
  const columns = node.input?.[0] ?? '';
  const fields = columnFields(view, schema, columns);
  const ensemble = readTreeEnsemble(node, outputs);
  if (typeof ensemble === 'string') return ensemble;
  if (!fields || ensemble.outputs !== outputs) return undefined;
  return { kind: 'trees', columns, fields, ensemble } satisfies TreeHead;
}

const headOf = (h: TreeHead | string | undefined) => (typeof h === 'string' ? undefined : h);
const noteOf = (h: TreeHead | string | undefined) => (typeof h === 'string' ? h : undefined);

/**
 * Reads what the explainers can use from a model's graph: a linear or tree-ensemble head
 * that computes the output (a regression's value, a classifier's scores), and whether a
 * classifier's raw margins can be read. Anything unrecognized leaves `head` undefined.
 */
export function graphStructure(
  view: GraphView,
  schema: ModelSchema,
  task: ServedTask,
): GraphStructure {
  if (task.kind === 'regression') {
    const found = source(view, schema.output.name);
    if (found?.output !== 0) return { head: undefined, margin: undefined };
    const { node } = found;
    const op = node.opType ?? '';
    let head: LinearHead | TreeHead | undefined;
    if (op === 'LinearRegressor') {
      const plain = stringAttribute(node, 'post_transform', 'NONE') === 'NONE';
      head = plain ? linearNodeHead(view, schema, node, scalar(node, 'targets', 1)) : undefined;
      if (head && head.weights.length !== 1) head = undefined;
    } else if (op === 'TreeEnsembleRegressor') {
      const h = treeHead(view, schema, node, 1);
      const note = noteOf(h);
      if (note) return { head: undefined, margin: undefined, note };
      head = headOf(h)?.ensemble.postTransform === 'NONE' ? headOf(h) : undefined;
    } else {
      head = matMulHead(view, schema, node);
    }
    return { head, margin: undefined };
  }
  // A classifier: the node whose second output becomes the probabilities, through
  // pass-through ops and an L1 Normalizer at most.
  let current = task.probabilitiesTensor;
  let normalized = false;
  let found = source(view, current);
  while (found?.node.opType === 'Normalizer') {
    normalized = true;
    current = found.node.input?.[0] ?? '';
    found = source(view, current);
  }
  if (found?.output !== 1) return { head: undefined, margin: undefined };
  const { node } = found;
  const op = node.opType ?? '';
  const classes = task.classes.length;
  const transform = stringAttribute(node, 'post_transform', 'NONE');
  const scores = node.output?.[1] ?? '';
  const margin = transform !== 'NONE' || normalized ? { scores, node } : undefined;
  let head: LinearHead | TreeHead | undefined;
  let note: string | undefined;
  if (op === 'LinearClassifier') head = linearNodeHead(view, schema, node, classes);
  else if (op === 'TreeEnsembleClassifier') {
    const h = treeHead(view, schema, node, classes);
    head = headOf(h);
    note = noteOf(h);
  }
  return {
    head,
    margin: op === 'LinearClassifier' || op === 'TreeEnsembleClassifier' ? margin : undefined,
    ...(note ? { note } : {}),
  };
}

import { numbers, type OnnxNode, stringAttribute, strings } from './onnx-graph.ts';

/** How a branch node compares its column with its threshold (`LEAF` for leaves). */
const MODES = [
  'LEAF',
  'BRANCH_LEQ',
  'BRANCH_LT',
  'BRANCH_GTE',
  'BRANCH_GT',
  'BRANCH_EQ',
  'BRANCH_NEQ',
];

/** One tree in flat arrays, nodes by position; leaves carry one value per output. */
export interface Tree {
  /** Index into MODES; 0 is a leaf. */
  readonly mode: Uint8Array;
  readonly column: Int32Array;
  readonly threshold: Float64Array;
  /** Positions of the children taken when the comparison holds / does not. */
  readonly whenTrue: Int32Array;
  readonly whenFalse: Int32Array;
  /** `outputs` values per node (non-zero on leaves only). */
  readonly value: Float64Array;
}

/** A TreeEnsembleRegressor's or TreeEnsembleClassifier's trees, read from its attributes. */
export interface TreeEnsemble {
  readonly trees: readonly Tree[];
  /** Values per leaf: targets (regressor) or classes (classifier). */
  readonly outputs: number;
  /** Added to the trees' aggregate. */
  readonly base: readonly number[];
  /** The aggregate is the trees' mean, not their sum. */
  readonly average: boolean;
  /** The node's `post_transform`. */
  readonly postTransform: string;
}

/** Whether the comparison of a branch node holds for `x` (`mode` from {@link Tree}). */
export function branchTrue(mode: number, x: number, threshold: number): boolean {
  switch (mode) {
    case 1:
      return x <= threshold;
    case 2:
      return x < threshold;
    case 3:
      return x >= threshold;
    case 4:
      return x > threshold;
    case 5:
      return x === threshold;
    default:
      return x !== threshold;
  }
}

/**
 * Reads a tree ensemble node's attributes (`nodes_*`, `target_*` or `class_*`). `undefined`
 * when it uses what the explainer does not model: MIN/MAX aggregates, or a binary classifier
 * whose leaves weigh one class only (onnxruntime derives the other column from it).
 */
export function readTreeEnsemble(node: OnnxNode, classes: number): TreeEnsemble | undefined {
  const classifier = node.opType === 'TreeEnsembleClassifier';
  const prefix = classifier ? 'class' : 'target';
  const outputs = classifier ? classes : (numbers(node, 'n_targets')[0] ?? 1);
  const aggregate = stringAttribute(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') return undefined;
  const treeIds = numbers(node, 'nodes_treeids');
  const nodeIds = numbers(node, 'nodes_nodeids');
  const columns = numbers(node, 'nodes_featureids');
  const modes = strings(node, 'nodes_modes');
  const thresholds = numbers(node, 'nodes_values');
  const trues = numbers(node, 'nodes_truenodeids');
  const falses = numbers(node, 'nodes_falsenodeids');
  const leafTrees = numbers(node, `${prefix}_treeids`);
  const leafNodes = numbers(node, `${prefix}_nodeids`);
  const leafIds = numbers(node, `${prefix}_ids`);
  const leafWeights = numbers(node, `${prefix}_weights`);
  if (classifier && new Set(leafIds).size !== classes) return undefined;

  const byTree = new Map<number, number[]>();
  treeIds.forEach((t, i) => {
    const list = byTree.get(t) ?? [];
    list.push(i);
    byTree.set(t, list);
  });
  const position = new Map<string, number>();
  for (const list of byTree.values()) {
    list.forEach((i, p) => {
      position.set(`${treeIds[i]}:${nodeIds[i]}`, p);
    });
  }
  const trees = new Map<number, Tree>();
  for (const [t, list] of byTree) {
    const n = list.length;
    const tree: Tree = {
      mode: new Uint8Array(n),
      column: new Int32Array(n),
      threshold: new Float64Array(n),
      whenTrue: new Int32Array(n),
      whenFalse: new Int32Array(n),
      value: new Float64Array(n * outputs),
    };
    list.forEach((i, p) => {
      const mode = MODES.indexOf(modes[i] ?? 'LEAF');
      tree.mode[p] = Math.max(mode, 0);
      tree.column[p] = columns[i] ?? 0;
      tree.threshold[p] = thresholds[i] ?? 0;
      tree.whenTrue[p] = position.get(`${t}:${trues[i]}`) ?? 0;
      tree.whenFalse[p] = position.get(`${t}:${falses[i]}`) ?? 0;
    });
    trees.set(t, tree);
  }
  leafTrees.forEach((t, i) => {
    const tree = trees.get(t);
    const p = position.get(`${t}:${leafNodes[i]}`);
    if (tree && p !== undefined) {
      const k = p * outputs + (leafIds[i] ?? 0);
      tree.value[k] = (tree.value[k] ?? 0) + (leafWeights[i] ?? 0);
    }
  });
  const base = numbers(node, 'base_values');
  return {
    trees: [...trees.values()],
    outputs,
    base: Array.from({ length: outputs }, (_, k) => base[k] ?? 0),
    average: aggregate === 'AVERAGE',
    postTransform: stringAttribute(node, 'post_transform', 'NONE'),
  };
}

/** The ensemble's raw output (before any post-transform) for one row of columns. */
export function ensembleOutput(ensemble: TreeEnsemble, x: ArrayLike<number>): Float64Array {
  const { outputs } = ensemble;
  const out = new Float64Array(outputs);
  for (const tree of ensemble.trees) {
    let p = 0;
    while (tree.mode[p] !== 0) {
      const c = tree.column[p] as number;
      p = branchTrue(tree.mode[p] as number, x[c] as number, tree.threshold[p] as number)
        ? (tree.whenTrue[p] as number)
        : (tree.whenFalse[p] as number);
    }
    for (let k = 0; k < outputs; k++)
      out[k] = (out[k] as number) + (tree.value[p * outputs + k] as number);
  }
  const scale = ensemble.average ? 1 / ensemble.trees.length : 1;
  for (let k = 0; k < outputs; k++)
    out[k] = (out[k] as number) * scale + (ensemble.base[k] as number);
  return out;
}

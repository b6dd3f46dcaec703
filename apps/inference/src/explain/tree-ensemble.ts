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
 * A binary classifier whose leaves weigh class 0 only (onnxmltools' LightGBM and XGBoost,
 * skl2onnx's forests): onnxruntime scores it `s` (the leaves' aggregate plus the base value)
 * and writes `[-s, s]` with mixed-sign weights (before a LOGISTIC: the margins; without one:
 * the output), or `[1 - s, s]` with all weights >= 0 and no post-transform (the probabilities).
 * Both are affine in `s`: `complement - s` and `s`. Other combinations (weights >= 0 under a
 * post-transform, which onnxruntime then skips; SOFTMAX; PROBIT) are refused, with the reason.
 */
function oneClassBinary(
  node: OnnxNode,
  leafIds: readonly number[],
  leafWeights: readonly number[],
  classes: number,
): { complement: number } | string | undefined {
  if (classes !== 2 || leafIds.some((id) => id !== 0)) return undefined;
  const transform = stringAttribute(node, 'post_transform', 'NONE');
  if (numbers(node, 'base_values').length > 1) {
    return 'a binary tree classifier whose leaves weigh one class but with two base values';
  }
  const positive = leafWeights.every((w) => w >= 0);
  if (positive && transform === 'NONE') return { complement: 1 };
  if (!positive && (transform === 'LOGISTIC' || transform === 'NONE')) return { complement: 0 };
  return `a binary tree classifier whose leaves weigh one class, with ${positive ? 'non-negative' : 'mixed-sign'} weights and post_transform ${transform}: its margins are not read from the trees`;
}

/**
 * Reads a tree ensemble node's attributes (`nodes_*`, `target_*` or `class_*`); a binary
 * classifier whose leaves weigh class 0 only is read as two outputs, `complement - s` and `s`
 * (see {@link oneClassBinary}). A string says why it cannot be read: MIN/MAX aggregates, or
 * a one-class binary layout whose scores onnxruntime does not derive affinely.
 */
export function readTreeEnsemble(node: OnnxNode, classes: number): TreeEnsemble | string {
  const classifier = node.opType === 'TreeEnsembleClassifier';
  const prefix = classifier ? 'class' : 'target';
  const outputs = classifier ? classes : (numbers(node, 'n_targets')[0] ?? 1);
  const aggregate = stringAttribute(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') {
    return `a tree ensemble with aggregate_function ${aggregate}`;
  }
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
  const binary = classifier ? oneClassBinary(node, leafIds, leafWeights, classes) : undefined;
  if (typeof binary === 'string') return binary;
  if (classifier && !binary && new Set(leafIds).size !== classes) {
    return `a tree classifier whose leaves weigh ${new Set(leafIds).size} of its ${classes} classes`;
  }

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
      const w = leafWeights[i] ?? 0;
      if (binary) {
        // Class 1 scores s, class 0 scores complement - s.
        tree.value[p * 2] = (tree.value[p * 2] ?? 0) - w;
        tree.value[p * 2 + 1] = (tree.value[p * 2 + 1] ?? 0) + w;
      } else {
        const k = p * outputs + (leafIds[i] ?? 0);
        tree.value[k] = (tree.value[k] ?? 0) + w;
      }
    }
  });
  const base = numbers(node, 'base_values');
  const b = base[0] ?? 0;
  return {
    trees: [...trees.values()],
    outputs,
    base: binary
      ? [binary.complement - b, b]
      : Array.from({ length: outputs }, (_, k) => base[k] ?? 0),
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

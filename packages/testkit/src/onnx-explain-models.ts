// Test fixtures for explanations: a random tree ensemble (TreeEnsembleRegressor/Classifier in
// ai.onnx.ml's attribute layout) and a small tanh network, over the columns of any schema.
import { type FeatureRecord, type ModelSchema, seededRandom } from '@modelship/feature-schema';
import onnxProto from 'onnx-proto';
import { floatTensor, graphColumns, modelBytes, valueInfo } from './onnx-models.ts';

const { DataType } = onnxProto.onnx.TensorProto;
const bytesOf = (s: string) => new TextEncoder().encode(s);

/** A seeded generator in [0, 1), so fixtures are the same on every run. */
export const seeded = seededRandom;

/** `base` with `n` numeric fields `x0 ... x(n-1)` in [0, 10], one float32 [N,1] input each. */
export function wideSchema(base: ModelSchema, n: number): ModelSchema {
  return {
    ...base,
    fields: Array.from({ length: n }, (_, i) => ({
      kind: 'numeric' as const,
      name: `x${i}`,
      dtype: 'float' as const,
      min: 0,
      max: 10,
      description: `Field ${i}.`,
      example: 5,
    })),
    inputs: {
      layout: 'per-field' as const,
      inputs: Array.from({ length: n }, (_, i) => ({
        field: `x${i}`,
        input: `x${i}`,
        type: 'float32' as const,
      })),
    },
  };
}

/** Options of {@link treeEnsembleModel}. */
export interface TreeEnsembleOptions {
  /** @default 10 */
  readonly trees?: number;
  /** Depth of every tree: at most 2^depth leaves. @default 4 */
  readonly depth?: number;
  /** Records whose column values become the split thresholds. */
  readonly records: readonly FeatureRecord[];
  /** @default 1 */
  readonly seed?: number;
  /** Classifiers: the post-transform of the scores. @default 'NONE' */
  readonly postTransform?: 'NONE' | 'LOGISTIC' | 'SOFTMAX';
  /** @default 'SUM' */
  readonly aggregate?: 'SUM' | 'AVERAGE';
  /**
   * A binary classifier whose leaves weigh class 0 only, as onnxmltools and skl2onnx write
   * them: `positive` weights in [0, 1), or `mixed` signs. @default every leaf weighs every class
   */
  readonly oneClass?: 'positive' | 'mixed';
}

const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values });
const floats = (name: string, values: number[]) => ({ name, type: 6, floats: values });
const strs = (name: string, values: string[]) => ({ name, type: 8, strings: values.map(bytesOf) });

/**
 * A random tree ensemble over the schema's columns ({@link graphColumns}): a regressor
 * (`task` regression, output [N,1]) or a classifier with one weight per class on every leaf
 * (label [N] and probabilities [N,C] named as the schema's outputs; classes from
 * `output.classes`, strings).
 */
export function treeEnsembleModel(schema: ModelSchema, options: TreeEnsembleOptions): Uint8Array {
  const { nodes, inputs, columns, features } = graphColumns(schema);
  const random = seeded(options.seed ?? 1);
  const depth = options.depth ?? 4;
  const classes = (schema.output.classes ?? []).map(String);
  const classifier = schema.task === 'classification';
  const K = classifier ? (options.oneClass ? 1 : classes.length) : 1;
  const mixed = options.oneClass === 'mixed';
  const table = options.records.map((r) => columns.map((c) => c.value(r)));
  const n: Record<string, number[]> = {
    treeids: [],
    nodeids: [],
    featureids: [],
    values: [],
    truenodeids: [],
    falsenodeids: [],
  };
  const modes: string[] = [];
  const leaf = {
    treeids: [] as number[],
    nodeids: [] as number[],
    ids: [] as number[],
    weights: [] as number[],
  };
  for (let t = 0; t < (options.trees ?? 10); t++) {
    let next = 0;
    const grow = (level: number): number => {
      const id = next++;
      const at = modes.length;
      modes.push('LEAF');
      n.treeids?.push(t);
      n.nodeids?.push(id);
      n.featureids?.push(0);
      n.values?.push(0);
      n.truenodeids?.push(0);
      n.falsenodeids?.push(0);
      if (level === depth) {
        for (let k = 0; k < K; k++) {
          leaf.treeids.push(t);
          leaf.nodeids.push(id);
          leaf.ids.push(k);
          const w = classifier && !mixed ? random() : random() * 20 - 10;
          leaf.weights.push(Math.fround(classifier && mixed ? w / 10 : w));
        }
        return id;
      }
      const column = Math.floor(random() * columns.length);
      const row = table[Math.floor(random() * table.length)] ?? [];
      modes[at] = random() < 0.5 ? 'BRANCH_LEQ' : 'BRANCH_LT';
      (n.featureids as number[])[at] = column;
      (n.values as number[])[at] = Math.fround(row[column] ?? 0);
      (n.truenodeids as number[])[at] = grow(level + 1);
      (n.falsenodeids as number[])[at] = grow(level + 1);
      return id;
    };
    grow(0);
  }
  const attribute = [
    ints('nodes_treeids', n.treeids ?? []),
    ints('nodes_nodeids', n.nodeids ?? []),
    ints('nodes_featureids', n.featureids ?? []),
    floats('nodes_values', n.values ?? []),
    strs('nodes_modes', modes),
    ints('nodes_truenodeids', n.truenodeids ?? []),
    ints('nodes_falsenodeids', n.falsenodeids ?? []),
  ];
  const output = schema.output.name;
  if (!classifier) {
    nodes.push({
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      input: [features],
      output: [output],
      attribute: [
        ...attribute,
        ints('target_treeids', leaf.treeids),
        ints('target_nodeids', leaf.nodeids),
        ints('target_ids', leaf.ids),
        floats('target_weights', leaf.weights),
        { name: 'n_targets', type: 2, i: 1 },
        { name: 'aggregate_function', type: 3, s: bytesOf(options.aggregate ?? 'SUM') },
        floats('base_values', [1.5]),
      ],
    });
    return modelBytes(
      schema,
      {
        name: 'trees',
        node: nodes,
        input: inputs,
        output: [valueInfo(output, DataType.FLOAT, ['N', 1])],
      },
      undefined,
    );
  }
  const probabilities = schema.output.probabilities ?? 'probabilities';
  nodes.push({
    opType: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    input: [features],
    output: [output, probabilities],
    attribute: [
      ...attribute,
      ints('class_treeids', leaf.treeids),
      ints('class_nodeids', leaf.nodeids),
      ints('class_ids', leaf.ids),
      floats('class_weights', leaf.weights),
      strs('classlabels_strings', classes),
      { name: 'post_transform', type: 3, s: bytesOf(options.postTransform ?? 'NONE') },
    ],
  });
  return modelBytes(
    schema,
    {
      name: 'trees',
      node: nodes,
      input: inputs,
      output: [
        valueInfo(output, DataType.STRING, ['N']),
        valueInfo(probabilities, DataType.FLOAT, ['N', K]),
      ],
    },
    undefined,
  );
}

/**
 * A one-hidden-layer tanh network `y = tanh(x · W1 + b1) · w2 + b2` over the schema's columns,
 * with seeded random weights (inputs scaled by `scale`): a model no closed form explains.
 */
export function mlpModel(
  schema: ModelSchema,
  options: { readonly hidden?: number; readonly seed?: number; readonly scale?: number } = {},
): Uint8Array {
  const { nodes, inputs, columns, features } = graphColumns(schema);
  const random = seeded(options.seed ?? 7);
  const hidden = options.hidden ?? 16;
  const scale = options.scale ?? 0.05;
  const d = columns.length;
  const w1 = Array.from({ length: d * hidden }, () => (random() * 2 - 1) * scale);
  const b1 = Array.from({ length: hidden }, () => random() * 2 - 1);
  const w2 = Array.from({ length: hidden }, () => random() * 10 - 5);
  const output = schema.output.name;
  nodes.push({ opType: 'MatMul', input: [features, 'W1'], output: ['h0'] });
  nodes.push({ opType: 'Add', input: ['h0', 'B1'], output: ['h1'] });
  nodes.push({ opType: 'Tanh', input: ['h1'], output: ['h2'] });
  nodes.push({ opType: 'MatMul', input: ['h2', 'W2'], output: ['y0'] });
  nodes.push({ opType: 'Add', input: ['y0', 'B2'], output: [output] });
  return modelBytes(
    schema,
    {
      name: 'mlp',
      node: nodes,
      initializer: [
        floatTensor('W1', [d, hidden], w1),
        floatTensor('B1', [hidden], b1),
        floatTensor('W2', [hidden, 1], w2),
        floatTensor('B2', [1], [0.25]),
      ],
      input: inputs,
      output: [valueInfo(output, DataType.FLOAT, ['N', 1])],
    },
    undefined,
  );
}

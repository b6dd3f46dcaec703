import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compileSchema,
  FINGERPRINT_METADATA_KEY,
  type ModelSchema,
  seededRandom,
} from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Attribute = InstanceType<typeof onnx.AttributeProto>;

/** Options for {@link writeHeavyModel}. */
export interface HeavyModelOptions {
  /** Directory to write `model.onnx` and `schema.json` into. */
  readonly dir: string;
  /** Number of trees. @default 1000 */
  readonly trees?: number;
  /** Depth of every (complete) tree. @default 8 */
  readonly depth?: number;
  /** PRNG seed: the same seed writes the same file. @default 1 */
  readonly seed?: number;
}

const attr = {
  ints: (name: string, ints: number[]): Attribute =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints }),
  floats: (name: string, floats: number[]): Attribute =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOATS, floats }),
  int: (name: string, i: number): Attribute =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  string: (name: string, s: string): Attribute =>
    onnx.AttributeProto.create({
      name,
      type: onnx.AttributeProto.AttributeType.STRING,
      s: new TextEncoder().encode(s),
    }),
  strings: (name: string, list: string[]): Attribute =>
    onnx.AttributeProto.create({
      name,
      type: onnx.AttributeProto.AttributeType.STRINGS,
      strings: list.map((s) => new TextEncoder().encode(s)),
    }),
};

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
}

/** The heavy model's schema: the insurance fields and layout under another model name. */
export function heavySchema(trees: number, depth: number): ModelSchema {
  return {
    ...insuranceSchema,
    model: {
      name: 'insurance-heavy-trees',
      version: `${trees}x${depth}`,
      description: `Benchmark fixture: ${trees} random complete trees of depth ${depth}.`,
    },
  };
}

/**
 * Writes a deliberately heavy model directory for the batching measurement: the insurance
 * schema's per-field inputs (float32 and string [N,1]), categoricals mapped to numbers by
 * ai.onnx.ml LabelEncoder, Concat, then an ai.onnx.ml TreeEnsembleRegressor of `trees`
 * complete trees of depth `depth` with random splits and leaves (a performance fixture, not
 * a trained model: inference cost depends on the shape of the trees, not on their quality).
 * The schema fingerprint is stamped into the metadata so the service accepts it.
 * @see https://onnx.ai/onnx/operators/onnx_aionnxml_TreeEnsembleRegressor.html
 */
export async function writeHeavyModel(options: HeavyModelOptions): Promise<string> {
  const trees = options.trees ?? 1000;
  const depth = options.depth ?? 8;
  const random = seededRandom(options.seed ?? 1);
  const schema = heavySchema(trees, depth);
  if (schema.inputs.layout !== 'per-field') throw new Error('heavy model needs per-field inputs');

  const fieldRange = schema.fields.map((field) =>
    field.kind === 'numeric'
      ? { min: field.min ?? 0, max: field.max ?? 1 }
      : { min: 0, max: field.levels.length - 1 },
  );
  const inputs = schema.inputs.inputs;
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const columns: string[] = [];
  for (const input of inputs) {
    const field = schema.fields.find((f) => f.name === input.field);
    if (!field) throw new Error(`no field ${input.field}`);
    if (field.kind === 'categorical') {
      const out = `${input.input}_code`;
      nodes.push(
        onnx.NodeProto.create({
          opType: 'LabelEncoder',
          domain: 'ai.onnx.ml',
          input: [input.input],
          output: [out],
          attribute: [
            attr.strings('keys_strings', [...field.levels]),
            attr.floats(
              'values_floats',
              field.levels.map((_, i) => i),
            ),
          ],
        }),
      );
      columns.push(out);
    } else if (input.type === 'float32') {
      columns.push(input.input);
    } else {
      throw new Error(
        `heavy model: numeric input ${input.input} must be float32, not ${input.type}`,
      );
    }
  }
  nodes.push(
    onnx.NodeProto.create({
      opType: 'Concat',
      input: columns,
      output: ['features'],
      attribute: [attr.int('axis', 1)],
    }),
  );

  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const t = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  const internal = 2 ** depth - 1;
  const total = 2 ** (depth + 1) - 1;
  for (let tree = 0; tree < trees; tree++) {
    for (let id = 0; id < total; id++) {
      n.treeIds.push(tree);
      n.nodeIds.push(id);
      if (id < internal) {
        const feature = Math.floor(random() * fieldRange.length);
        const range = fieldRange[feature] as { min: number; max: number };
        n.featureIds.push(feature);
        n.values.push(range.min + random() * (range.max - range.min));
        n.modes.push('BRANCH_LEQ');
        n.trueIds.push(2 * id + 1);
        n.falseIds.push(2 * id + 2);
      } else {
        n.featureIds.push(0);
        n.values.push(0);
        n.modes.push('LEAF');
        n.trueIds.push(0);
        n.falseIds.push(0);
        t.treeIds.push(tree);
        t.nodeIds.push(id);
        t.weights.push((random() - 0.5) * (20_000 / trees));
      }
    }
  }
  nodes.push(
    onnx.NodeProto.create({
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      input: ['features'],
      output: [schema.output.name],
      attribute: [
        attr.int('n_targets', 1),
        attr.string('aggregate_function', 'SUM'),
        attr.string('post_transform', 'NONE'),
        attr.floats('base_values', [13_000]),
        attr.ints('nodes_treeids', n.treeIds),
        attr.ints('nodes_nodeids', n.nodeIds),
        attr.ints('nodes_featureids', n.featureIds),
        attr.floats('nodes_values', n.values),
        attr.strings('nodes_modes', n.modes),
        attr.ints('nodes_truenodeids', n.trueIds),
        attr.ints('nodes_falsenodeids', n.falseIds),
        attr.ints('target_treeids', t.treeIds),
        attr.ints('target_nodeids', t.nodeIds),
        attr.ints(
          'target_ids',
          t.treeIds.map(() => 0),
        ),
        attr.floats('target_weights', t.weights),
      ],
    }),
  );

  const { FLOAT, STRING } = onnx.TensorProto.DataType;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@modelship/bench',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    metadataProps: [
      { key: FINGERPRINT_METADATA_KEY, value: compileSchema(schema).fingerprint },
      { key: 'modelship.model_name', value: schema.model.name },
      { key: 'modelship.model_version', value: schema.model.version },
    ],
    graph: {
      name: 'heavy_trees',
      node: nodes,
      input: inputs.map((i) => valueInfo(i.input, i.type === 'string' ? STRING : FLOAT, ['N', 1])),
      output: [valueInfo(schema.output.name, FLOAT, ['N', 1])],
    },
  });
  await mkdir(options.dir, { recursive: true });
  await writeFile(join(options.dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
  await writeFile(join(options.dir, 'schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
  return options.dir;
}

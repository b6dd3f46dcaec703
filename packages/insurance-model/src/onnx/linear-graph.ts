import type { MatrixFeature, ModelSchema, PerFieldLayout } from '@modelship/feature-schema';
import type { LinearModel } from '../linear/model.ts';
import { elementType, floatTensor, node, type Onnx, onnx, valueInfo } from './proto.ts';

/** Opsets the graphs use: ai.onnx 17 (GreaterOrEqual, Cast, Concat, MatMul) and ai.onnx.ml 3. */
const opsetImports = [
  { domain: '', version: 17 },
  { domain: 'ai.onnx.ml', version: 3 },
];

/** Collects nodes and initializers while a graph is being built. */
class GraphBuilder {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly constants = new Map<number, string>();

  /** A float32 scalar constant, shared by every node that uses the same value. */
  constant(value: number): string {
    const v = Math.fround(value);
    let name = this.constants.get(v);
    if (!name) {
      name = `const_${this.constants.size}`;
      this.constants.set(v, name);
      this.initializers.push(floatTensor(name, [], [v]));
    }
    return name;
  }

  add(opType: string, inputs: string[], output: string, attributes = {}, domain = ''): string {
    this.nodes.push(node(opType, inputs, [output], { name: output, domain, attributes }));
    return output;
  }
}

/**
 * Emits the nodes computing one engineered feature as a float32 [N,1] tensor from the raw
 * per-field inputs (`fieldTensor(field)` names a field's float32 or string tensor).
 */
function emitFeature(
  g: GraphBuilder,
  feature: MatrixFeature,
  id: string,
  fieldTensor: (field: string) => string,
): string {
  let out: string;
  switch (feature.kind) {
    case 'one-hot':
      return g.add(
        'LabelEncoder',
        [fieldTensor(feature.field)],
        `${id}_onehot`,
        {
          keys_strings: { kind: 'strings', value: [feature.level] },
          values_floats: { kind: 'floats', value: [1] },
          default_float: { kind: 'float', value: 0 },
        },
        'ai.onnx.ml',
      );
    case 'threshold': {
      const ge = g.add(
        'GreaterOrEqual',
        [fieldTensor(feature.field), g.constant(feature.min)],
        `${id}_ge`,
      );
      return g.add('Cast', [ge], `${id}_step`, { to: { kind: 'int', value: elementType.float32 } });
    }
    case 'numeric':
      out = fieldTensor(feature.field);
      break;
    case 'product': {
      const factors = feature.of.map((sub, k) => emitFeature(g, sub, `${id}_${k}`, fieldTensor));
      out = factors.reduce((acc, x, k) => g.add('Mul', [acc, x], `${id}_mul${k}`));
      break;
    }
  }
  if (feature.mean !== undefined)
    out = g.add('Sub', [out, g.constant(feature.mean)], `${id}_centered`);
  if (feature.std !== undefined) out = g.add('Div', [out, g.constant(feature.std)], `${id}_scaled`);
  return out;
}

/** Shared tail: Concat the features to [N,D], MatMul the weights, Add the intercept. */
function emitLinear(g: GraphBuilder, columns: string[], model: LinearModel, output: string): void {
  const d = model.weights.length;
  g.initializers.push(floatTensor('weights', [d, 1], model.weights));
  g.initializers.push(floatTensor('intercept', [1], [model.intercept]));
  const x =
    columns.length === 1
      ? (columns[0] as string)
      : g.add('Concat', columns, 'features', { axis: { kind: 'int', value: 1 } });
  const dot = g.add('MatMul', [x, 'weights'], 'dot');
  g.add('Add', [dot, 'intercept'], output);
}

/** Everything that goes into the ONNX file besides the graph. */
export interface ModelInfo {
  readonly producerVersion: string;
  readonly docString: string;
  readonly metadata: Readonly<Record<string, string>>;
}

function modelProto(graph: Onnx.IGraphProto, info: ModelInfo): Onnx.IModelProto {
  return {
    irVersion: 8,
    opsetImport: opsetImports,
    producerName: 'modelship',
    producerVersion: info.producerVersion,
    docString: info.docString,
    graph,
    metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
  };
}

/**
 * Layout (a): one [N,1] input per field (as the schema maps them), every engineered
 * feature computed inside the graph, then the linear model. Runs unchanged in any ONNX
 * runtime given the raw fields.
 */
export function perFieldLinearModel(
  schema: ModelSchema,
  model: LinearModel,
  info: ModelInfo,
): Onnx.IModelProto {
  if (schema.inputs.layout !== 'per-field') throw new Error('schema must use the per-field layout');
  const layout: PerFieldLayout = schema.inputs;
  const g = new GraphBuilder();
  const tensors = new Map<string, string>();
  for (const m of layout.inputs) {
    // numeric inputs of another element type are cast to float32 once
    const needsCast = m.type === 'float64' || m.type === 'int64';
    tensors.set(
      m.field,
      needsCast
        ? g.add('Cast', [m.input], `${m.field}_f32`, {
            to: { kind: 'int', value: elementType.float32 },
          })
        : m.input,
    );
  }
  const fieldTensor = (field: string) => {
    const t = tensors.get(field);
    if (!t) throw new Error(`field '${field}' has no input`);
    return t;
  };
  const columns = model.features.map((feature, j) => emitFeature(g, feature, `f${j}`, fieldTensor));
  emitLinear(g, columns, model, schema.output.name);
  return modelProto(
    {
      name: schema.model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: layout.inputs.map((m) => valueInfo(m.input, elementType[m.type], ['N', 1])),
      output: [valueInfo(schema.output.name, onnx.TensorProto.DataType.FLOAT, ['N', 1])],
    },
    info,
  );
}

/**
 * Layout (b): one float32 [N,D] input, features computed outside by the schema's encoder;
 * the graph is only MatMul + Add.
 */
export function matrixLinearModel(
  schema: ModelSchema,
  model: LinearModel,
  info: ModelInfo,
): Onnx.IModelProto {
  if (schema.inputs.layout !== 'matrix') throw new Error('schema must use the matrix layout');
  const g = new GraphBuilder();
  emitLinear(g, [schema.inputs.input], model, schema.output.name);
  return modelProto(
    {
      name: schema.model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo(schema.inputs.input, onnx.TensorProto.DataType.FLOAT, [
          'N',
          model.weights.length,
        ]),
      ],
      output: [valueInfo(schema.output.name, onnx.TensorProto.DataType.FLOAT, ['N', 1])],
    },
    info,
  );
}

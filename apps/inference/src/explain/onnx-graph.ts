import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
/** One node of an ONNX graph, as onnx-proto decodes it. */
export type OnnxNode = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Attribute = onnxProto.onnx.IAttributeProto;

const text = new TextDecoder();

/** A decoded graph with the lookups the explainers need: producers, consumers, constants. */
export interface GraphView {
  readonly nodes: readonly OnnxNode[];
  /** The node that writes each tensor. */
  readonly producer: ReadonlyMap<string, OnnxNode>;
  /** The nodes that read each tensor. */
  readonly consumers: ReadonlyMap<string, readonly OnnxNode[]>;
  /** Initializers (and Constant nodes' values) by name, as float64 arrays with their dims. */
  readonly constants: ReadonlyMap<string, { readonly dims: number[]; readonly values: number[] }>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

function tensorValues(t: Tensor): number[] {
  if (t.floatData?.length) return t.floatData.map(Number);
  if (t.doubleData?.length) return t.doubleData.map(Number);
  if (t.int64Data?.length) return t.int64Data.map(Number);
  if (t.int32Data?.length) return t.int32Data.map(Number);
  const raw = t.rawData;
  if (!raw?.length) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const { DataType } = onnx.TensorProto;
  const out: number[] = [];
  if (t.dataType === DataType.FLOAT) {
    for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getFloat32(i, true));
  } else if (t.dataType === DataType.DOUBLE) {
    for (let i = 0; i < raw.byteLength; i += 8) out.push(view.getFloat64(i, true));
  } else if (t.dataType === DataType.INT64) {
    for (let i = 0; i < raw.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
  } else if (t.dataType === DataType.INT32) {
    for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getInt32(i, true));
  }
  return out;
}

/** Decodes a model's graph into a {@link GraphView}. @throws if the bytes are not ONNX. */
export function graphView(bytes: Uint8Array): GraphView {
  const graph = onnx.ModelProto.decode(bytes).graph;
  const nodes = graph?.node ?? [];
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  const constants = new Map<string, { dims: number[]; values: number[] }>();
  for (const t of graph?.initializer ?? []) {
    constants.set(t.name ?? '', { dims: (t.dims ?? []).map(Number), values: tensorValues(t) });
  }
  for (const node of nodes) {
    for (const out of node.output ?? []) producer.set(out, node);
    for (const input of node.input ?? []) {
      const list = consumers.get(input) ?? [];
      list.push(node);
      consumers.set(input, list);
    }
    const value = node.opType === 'Constant' ? attribute(node, 'value')?.t : undefined;
    if (value) {
      constants.set(node.output?.[0] ?? '', {
        dims: (value.dims ?? []).map(Number),
        values: tensorValues(value),
      });
    }
  }
  const initializers = new Set(constants.keys());
  return {
    nodes,
    producer,
    consumers,
    constants,
    inputs: (graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !initializers.has(n)),
    outputs: (graph?.output ?? []).map((o) => o.name ?? ''),
  };
}

/** A node's attribute by name. */
export function attribute(node: OnnxNode, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name) ?? undefined;
}

/** A node's numeric list attribute (floats, or ints as numbers); empty when absent. */
export function numbers(node: OnnxNode, name: string): number[] {
  const a = attribute(node, name);
  if (!a) return [];
  if (a.floats?.length) return a.floats.map(Number);
  if (a.ints?.length) return a.ints.map(Number);
  if (a.t) return tensorValues(a.t);
  return [];
}

/** A node's scalar attribute (int or float), or `fallback`. */
export function scalar(node: OnnxNode, name: string, fallback: number): number {
  const a = attribute(node, name);
  if (!a) return fallback;
  return a.type === onnx.AttributeProto.AttributeType.FLOAT ? Number(a.f) : Number(a.i);
}

/** A node's string attribute, or `fallback`. */
export function stringAttribute(node: OnnxNode, name: string, fallback: string): string {
  const s = attribute(node, name)?.s;
  return s ? text.decode(s) : fallback;
}

/** A node's string list attribute; empty when absent. */
export function strings(node: OnnxNode, name: string): string[] {
  return (attribute(node, name)?.strings ?? []).map((s) => text.decode(s));
}

/**
 * The model with one node's string attribute replaced (the node found by its first output),
 * e.g. a classifier's `post_transform` set to `NONE` so that its scores are the raw margins.
 */
export function withStringAttribute(
  bytes: Uint8Array,
  output: string,
  name: string,
  value: string,
): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const node = model.graph?.node?.find((n) => n.output?.[0] === output);
  if (!node) throw new Error(`no node writes ${output}`);
  const replacement = onnx.AttributeProto.create({
    name,
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(value),
  });
  node.attribute = [...(node.attribute ?? []).filter((a) => a.name !== name), replacement];
  return onnx.ModelProto.encode(model).finish();
}

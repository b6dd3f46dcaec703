import onnxProto from 'onnx-proto';

/** The ONNX protobuf namespace (onnx-proto is CommonJS: take it from the default export). */
export const { onnx } = onnxProto;
/** Type namespace of the ONNX protobuf messages. */
export type { onnx as Onnx } from 'onnx-proto';

type NodeProto = onnxProto.onnx.INodeProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

const { AttributeType } = onnx.AttributeProto;
const encoder = new TextEncoder();

/** Attribute values a node may carry; arrays are typed by their `kind`. */
export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

function attribute(name: string, a: AttributeValue): AttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: encoder.encode(a.value) };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case 'strings':
      return { name, type: AttributeType.STRINGS, strings: a.value.map((s) => encoder.encode(s)) };
  }
}

/** A graph node; `domain` is `''` (ai.onnx) unless given (e.g. `ai.onnx.ml`). */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  options: { name: string; domain?: string; attributes?: Record<string, AttributeValue> },
): NodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: options.name,
    domain: options.domain ?? '',
    attribute: Object.entries(options.attributes ?? {}).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 initializer of the given shape (values must be float32-representable). */
export function floatTensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): TensorProto {
  return {
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: [...values],
  };
}

/** ONNX element type codes of the tensor types a schema may use. */
export const elementType = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  string: onnx.TensorProto.DataType.STRING,
} as const;

/** A graph input/output description: element type and shape (`'N'` = the batch dimension). */
export function valueInfo(
  name: string,
  elemType: number,
  shape: readonly (number | string)[],
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/** Serializes a model to the ONNX protobuf bytes (deterministic for the same input). */
export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Parses ONNX protobuf bytes (for tests and tools that read metadata back). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

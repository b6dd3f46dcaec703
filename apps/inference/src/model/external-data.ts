import { isAbsolute, normalize, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import { concatBytes, fieldPayloads, GRAPH_FIELD, LENGTH_DELIMITED } from './onnx-metadata.ts';

const { onnx } = onnxProto;

// Field number of onnx.proto's GraphProto.initializer.
const INITIALIZER_FIELD = 5;

/**
 * The side files that hold a model's weights (the `location` of every initializer stored as
 * external data, as torch's exporter writes `model.onnx.data`), in order of first use; empty
 * for a self-contained model. Only the initializers are decoded, never the nodes.
 *
 * @throws if the bytes are not a protobuf message.
 */
export function externalDataFiles(bytes: Uint8Array): string[] {
  const files = new Set<string>();
  for (const graph of fieldPayloads(bytes, GRAPH_FIELD)) {
    for (const initializer of fieldPayloads(graph, INITIALIZER_FIELD)) {
      const tensor = onnx.TensorProto.decode(initializer);
      if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
      const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
      if (location) files.add(location);
    }
  }
  return [...files];
}

/**
 * Why a side file's location cannot be served from the model's own directory (an absolute
 * path, or one that leaves it), or `undefined` when it is a path inside it.
 */
export function externalDataProblem(location: string): string | undefined {
  const path = normalize(location);
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`)) {
    return `its weights file "${location}" is not inside the model's directory: re-export it with the weights inside model.onnx (torch.onnx.export(..., external_data=False)) or beside it`;
  }
  return undefined;
}

/** Protobuf cannot encode a message of 2 GiB or more: a model that size keeps its side files. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** The stored bytes of one external tensor: `length` bytes from `offset` (else to the end). */
function externalBytes(tensor: onnxProto.onnx.ITensorProto, file: Uint8Array): Uint8Array {
  const entry = (key: string) => tensor.externalData?.find((e) => e.key === key)?.value;
  const offset = Number(entry('offset') ?? 0);
  const length = entry('length');
  return file.subarray(offset, length === undefined ? file.length : offset + Number(length));
}

/**
 * Returns the model with the weights of every external initializer read from its side file
 * (`read(location)`) and stored inside the model, so that `model.onnx` is self-contained. Only
 * those initializers are re-encoded; every other byte of the model is kept as it was.
 *
 * @throws if the bytes are not an ONNX model, or `read` fails.
 */
export async function inlineExternalData(
  bytes: Uint8Array,
  read: (location: string) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const location of externalDataFiles(bytes)) files.set(location, await read(location));
  const rewriteGraph = (graph: Uint8Array) =>
    rewriteFields(graph, INITIALIZER_FIELD, (payload) => {
      const tensor = onnx.TensorProto.decode(payload);
      if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return payload;
      const location = tensor.externalData?.find((e) => e.key === 'location')?.value ?? '';
      const file = files.get(location) as Uint8Array;
      tensor.rawData = externalBytes(tensor, file);
      tensor.externalData = [];
      tensor.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
      return onnx.TensorProto.encode(tensor).finish();
    });
  return rewriteFields(bytes, GRAPH_FIELD, rewriteGraph);
}

/** The message with each payload of one length-delimited field replaced by `change(payload)`. */
function rewriteFields(
  bytes: Uint8Array,
  field: number,
  change: (payload: Uint8Array) => Uint8Array,
): Uint8Array {
  const reader = protobuf.Reader.create(bytes);
  const chunks: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === LENGTH_DELIMITED) {
      const payload = reader.bytes();
      const changed = change(payload);
      chunks.push(
        changed === payload
          ? bytes.subarray(start, reader.pos)
          : protobuf.Writer.create().uint32(tag).bytes(changed).finish(),
      );
    } else {
      reader.skipType(tag & 7);
      chunks.push(bytes.subarray(start, reader.pos));
    }
  }
  return concatBytes(chunks);
}

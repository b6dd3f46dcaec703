import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

const { onnx } = onnxProto;

// Field numbers of onnx.proto's ModelProto.
const GRAPH_FIELD = 7;
const METADATA_PROPS_FIELD = 14;
const LENGTH_DELIMITED = 2;

/**
 * Reads an ONNX model's `metadata_props` (onnxruntime-node does not expose them).
 *
 * Walks the top-level fields of the ModelProto and decodes only the metadata entries: the
 * graph (nearly all of a model's bytes, tens to hundreds of megabytes for tree ensembles) is
 * skipped by its length prefix instead of being decoded, so the cost does not grow with the
 * model. onnxruntime parses and checks the graph itself right after.
 *
 * @throws if the bytes are not an ONNX ModelProto (malformed protobuf, or no graph).
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const reader = protobuf.Reader.create(bytes);
  const metadata: Record<string, string> = {};
  let hasGraph = false;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw new Error(`invalid protobuf field number 0 at byte ${reader.pos}`);
    if (field === METADATA_PROPS_FIELD && wireType === LENGTH_DELIMITED) {
      const { key, value } = onnx.StringStringEntryProto.decode(reader, reader.uint32());
      if (key) metadata[key] = value ?? '';
    } else {
      if (field === GRAPH_FIELD && wireType === LENGTH_DELIMITED) hasGraph = true;
      reader.skipType(wireType);
    }
  }
  if (!hasGraph) throw new Error('the file holds no ONNX graph');
  return metadata;
}

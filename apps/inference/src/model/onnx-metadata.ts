import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

const { onnx } = onnxProto;

// Field numbers of onnx.proto's ModelProto.
export const GRAPH_FIELD = 7;
const METADATA_PROPS_FIELD = 14;
export const LENGTH_DELIMITED = 2;

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

/**
 * Returns the model with `entries` set in its `metadata_props` (an existing entry with the same
 * key is replaced; every other byte of the model is kept as it was, the graph included: it is
 * never decoded and re-encoded, so nothing a newer ONNX version added can be lost).
 *
 * @throws if the bytes are not an ONNX ModelProto.
 * @example
 * const stamped = writeOnnxMetadata(bytes, { [FINGERPRINT_METADATA_KEY]: compiled.fingerprint });
 */
export function writeOnnxMetadata(
  bytes: Uint8Array,
  entries: Readonly<Record<string, string>>,
): Uint8Array {
  readOnnxMetadata(bytes); // validates the container before anything is written
  const reader = protobuf.Reader.create(bytes);
  const kept: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === METADATA_PROPS_FIELD && wireType === LENGTH_DELIMITED) {
      const entry = onnx.StringStringEntryProto.decode(reader, reader.uint32());
      if (entry.key && Object.hasOwn(entries, entry.key)) continue;
    } else {
      reader.skipType(wireType);
    }
    // Copies the field (tag, length and payload) byte for byte.
    kept.push(bytes.subarray(start, reader.pos));
  }
  const appended = onnx.ModelProto.encode({
    metadataProps: Object.entries(entries).map(([key, value]) => ({ key, value })),
  }).finish();
  return concatBytes([...kept, appended]);
}

/** The length-delimited payloads of one field of a message, without decoding the others. */
export function fieldPayloads(bytes: Uint8Array, field: number): Uint8Array[] {
  const reader = protobuf.Reader.create(bytes);
  const found: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === LENGTH_DELIMITED) found.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return found;
}

/** The chunks, one after the other (protobuf messages concatenate: their fields merge). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

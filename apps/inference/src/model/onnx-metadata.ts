import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Reads an ONNX model's `metadata_props` (onnxruntime-node does not expose them).
 *
 * @throws if the bytes are not an ONNX ModelProto.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  if (!model.graph) throw new Error('the file holds no ONNX graph');
  const metadata: Record<string, string> = {};
  for (const { key, value } of model.metadataProps) {
    if (key) metadata[key] = value ?? '';
  }
  return metadata;
}

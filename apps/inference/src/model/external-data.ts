import { isAbsolute, normalize, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import { fieldPayloads, GRAPH_FIELD } from './onnx-metadata.ts';

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

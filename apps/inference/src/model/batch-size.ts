import type { InferenceSession } from 'onnxruntime-node';

/**
 * The batch size a model was exported with, when its inputs' first dimension is a number (a
 * `[1, 30]` export) rather than symbolic; `undefined` when any batch size runs.
 *
 * @throws {Error} when two inputs fix different batch sizes (no batch could feed both).
 */
export function fixedBatchSize(
  inputs: readonly InferenceSession.ValueMetadata[],
): number | undefined {
  const sizes = new Set<number>();
  for (const input of inputs) {
    const first = input.isTensor ? input.shape[0] : undefined;
    if (typeof first === 'number' && first > 0) sizes.add(first);
  }
  if (sizes.size > 1) {
    throw new Error(
      `its inputs fix different batch sizes (${[...sizes].join(', ')}): export it with one batch dimension, or a dynamic one`,
    );
  }
  const [size] = sizes;
  return size;
}

import type { ClassLabel, ModelSchema } from '@modelship/feature-schema';
import { readClassifierGraph, withGraphOutput } from './classifier-graph.ts';
import { labelTypeOf, type ServedTask } from './task.ts';

/** The task of a model, and the model bytes to give onnxruntime for it. */
export interface ResolvedTask {
  readonly task: ServedTask;
  /**
   * The model's bytes, with the ZipMap's input tensor added to the graph outputs when the
   * probabilities are a ZipMap (onnxruntime-node cannot return `seq(map)` values: it throws
   * "Non tensor type is temporarily not supported"); otherwise the bytes unchanged.
   */
  readonly bytes: Uint8Array;
}

const list = (labels: readonly ClassLabel[]) => labels.map((l) => JSON.stringify(l)).join(', ');

/**
 * Resolves what a model predicts from its schema and its graph: a regression model as is; a
 * classifier's class labels (declared in `output.classes`, read from the ZipMap's or the
 * classifier node's `classlabels_*`, and equal when both exist) and where its probabilities
 * are read from.
 *
 * @throws {Error} with a message that names the schema key to fix.
 */
export function resolveTask(schema: ModelSchema, bytes: Uint8Array): ResolvedTask {
  if (schema.task !== 'classification') return { task: { kind: 'regression' }, bytes };
  const probabilities = schema.output.probabilities ?? '';
  const graph = readClassifierGraph(bytes, probabilities);
  const declared = schema.output.classes;
  if (declared && graph.classes) {
    const same =
      declared.length === graph.classes.length &&
      declared.every((label, i) => label === graph.classes?.[i]);
    if (!same) {
      throw new Error(
        `output.classes (${list(declared)}) differ from the class labels in the graph (${list(graph.classes)}): fix or remove output.classes`,
      );
    }
  }
  const classes = declared ?? graph.classes;
  if (!classes) {
    throw new Error(
      'the graph carries no class labels (no classlabels_* attribute on a classifier or ZipMap node): declare them in output.classes, in the order of the probability columns',
    );
  }
  const zipMap = graph.zipMapInput !== undefined;
  const tensor = graph.zipMapInput ?? probabilities;
  const exposed = zipMap && !graph.outputs.includes(tensor);
  return {
    task: {
      kind: 'classification',
      classes,
      labelType: labelTypeOf(classes),
      probabilitiesTensor: tensor,
      zipMap,
    },
    bytes: exposed ? withGraphOutput(bytes, tensor) : bytes,
  };
}

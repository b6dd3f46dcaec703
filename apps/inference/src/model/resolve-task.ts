import type { ClassLabel, ModelSchema } from '@modelship/feature-schema';
import { labelOutputTypes, readClassifierGraph, withGraphOutput } from './classifier-graph.ts';
import { type LabelSource, labelTypeOf, type ServedTask } from './task.ts';

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
  // Names given for a graph's integer labels: served in their place, in class-index order.
  const names =
    declared !== undefined && typeof declared[0] === 'string' && typeof graph.classes?.[0] === 'number';
  if (declared && graph.classes) {
    const same =
      declared.length === graph.classes.length &&
      (names || declared.every((label, i) => label === graph.classes?.[i]));
    if (!same) {
      throw new Error(
        `output.classes (${list(declared)}) differ from the class labels in the graph (${list(graph.classes)}): fix or remove output.classes`,
      );
    }
  }
  const classes = declared ?? graph.classes;
  if (!classes) {
    throw new Error(
      schema.output.label === 'argmax'
        ? "a classifier without a label output needs its class labels: declare them in output.classes, in the order of the probability columns"
        : 'the graph carries no class labels (no classlabels_* attribute on a classifier or ZipMap node): declare them in output.classes, in the order of the probability columns',
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
      labelSource: labelSource(schema, classes, graph.classes, labelOutputTypes(bytes)),
    },
    bytes: exposed ? withGraphOutput(bytes, tensor) : bytes,
  };
}

/**
 * Where the label comes from: the argmax, or the label output, whose values are the graph's
 * class labels, else the declared classes, else (names for an int64 output) the class indices.
 */
function labelSource(
  schema: ModelSchema,
  classes: readonly ClassLabel[],
  graphClasses: readonly ClassLabel[] | undefined,
  outputTypes: ReadonlyMap<string, 'string' | 'int64'>,
): LabelSource {
  if (schema.output.label === 'argmax') return { kind: 'argmax' };
  const name = schema.output.name;
  const type = outputTypes.get(name) ?? labelTypeOf(graphClasses ?? classes);
  const codes =
    graphClasses ??
    (type === 'int64' && labelTypeOf(classes) === 'string' ? classes.map((_, i) => i) : classes);
  return { kind: 'output', name, type, codes };
}

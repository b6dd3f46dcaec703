import type { ModelSchema } from '@modelship/feature-schema';
import type { InferenceSession } from 'onnxruntime-node';
import type { ServedTask } from './task.ts';

type ValueMetadata = InferenceSession.ValueMetadata;

/** What the schema expects of one ONNX value. */
interface Expectation {
  readonly name: string;
  /** Accepted element types. */
  readonly types: readonly string[];
  /** Accepted shapes; `null` matches any dimension (the batch axis). */
  readonly shapes: readonly (readonly (number | null)[])[];
}

/** A dimension matches when it is symbolic/unknown (string, -1) or equal to the expected size. */
function dimMatches(actual: number | string, expected: number | null): boolean {
  if (typeof actual === 'string' || actual < 0) return true;
  return expected === null || actual === expected;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((d) => (typeof d === 'string' ? d || '?' : d)).join(', ')}]`;
}

function check(kind: string, value: ValueMetadata | undefined, want: Expectation): string[] {
  if (!value) return [`the model has no ${kind} named "${want.name}"`];
  if (!value.isTensor) return [`${kind} "${want.name}" is not a tensor`];
  const problems: string[] = [];
  if (!want.types.includes(value.type)) {
    problems.push(`${kind} "${want.name}" has element type ${value.type}, expected ${want.types.join(' or ')}`);
  }
  // An empty shape means onnxruntime does not know it: nothing to compare.
  if (value.shape.length > 0) {
    const fits = want.shapes.some(
      (shape) =>
        shape.length === value.shape.length &&
        shape.every((dim, i) => dimMatches(value.shape[i] as number | string, dim)),
    );
    if (!fits) {
      const expected = want.shapes
        .map((s) => `[${s.map((d) => d ?? 'N').join(', ')}]`)
        .join(' or ');
      problems.push(`${kind} "${want.name}" has shape ${describeShape(value.shape)}, expected ${expected}`);
    }
  }
  return problems;
}

/** The ONNX inputs the schema's layout feeds. */
function expectedInputs(schema: ModelSchema): Expectation[] {
  if (schema.inputs.layout === 'per-field') {
    return schema.inputs.inputs.map(({ input, type }) => ({
      name: input,
      types: [type],
      shapes: [[null, 1]],
    }));
  }
  return [
    {
      name: schema.inputs.input,
      types: [schema.inputs.type ?? 'float32'],
      shapes: [[null, schema.inputs.features.length]],
    },
  ];
}

/** The ONNX outputs the task reads. */
function expectedOutputs(schema: ModelSchema, task: ServedTask): Expectation[] {
  if (task.kind === 'regression') {
    return [{ name: schema.output.name, types: ['float32', 'float64'], shapes: [[null, 1], [null]] }];
  }
  const probabilities: Expectation = {
    name: task.probabilitiesTensor,
    types: ['float32', 'float64'],
    shapes: [[null, task.classes.length]],
  };
  const source = task.labelSource;
  if (source.kind === 'argmax') return [probabilities];
  return [{ name: source.name, types: [source.type], shapes: [[null], [null, 1]] }, probabilities];
}

/**
 * Lists every way the model's inputs and outputs differ from what the schema's layout
 * produces and the task reads: missing or extra inputs, element types, shapes (a classifier's
 * label type and its number of probability columns included). Empty when they match.
 */
export function layoutMismatches(
  schema: ModelSchema,
  inputs: readonly ValueMetadata[],
  outputs: readonly ValueMetadata[],
  task: ServedTask = { kind: 'regression' },
): string[] {
  const problems: string[] = [];
  const expected = expectedInputs(schema);
  const byName = new Map(inputs.map((value) => [value.name, value]));
  for (const want of expected) problems.push(...check('input', byName.get(want.name), want));
  const fed = new Set(expected.map((want) => want.name));
  for (const value of inputs) {
    if (!fed.has(value.name)) problems.push(`the model input "${value.name}" is not in the schema`);
  }
  for (const want of expectedOutputs(schema, task)) {
    problems.push(...check('output', outputs.find((value) => value.name === want.name), want));
  }
  return problems;
}

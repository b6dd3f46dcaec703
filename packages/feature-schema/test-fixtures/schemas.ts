import type { ModelSchema } from '../src/types.ts';

/** A per-field schema exercising every field kind and every tensor type (tests only). */
export const perFieldSchema = {
  schemaVersion: 1,
  model: { name: 'toy', version: '0.1.0', description: 'A toy model for tests.' },
  fields: [
    {
      kind: 'numeric',
      name: 'age',
      dtype: 'integer',
      min: 18,
      max: 100,
      label: 'Age',
      description: 'Age in years.',
      unit: 'years',
      example: 40,
    },
    {
      kind: 'numeric',
      name: 'bmi',
      dtype: 'float',
      min: 10,
      max: 80,
      description: 'Body mass index.',
      unit: 'kg/m²',
      example: 28.5,
    },
    {
      kind: 'numeric',
      name: 'children',
      dtype: 'integer',
      min: 0,
      description: 'Children covered.',
      example: 1,
    },
    {
      kind: 'numeric',
      name: 'score',
      dtype: 'float',
      description: 'An unbounded float.',
      example: -1.5,
    },
    {
      kind: 'categorical',
      name: 'smoker',
      levels: ['no', 'yes'],
      label: 'Smoker',
      description: 'Whether the person smokes.',
      example: 'no',
    },
  ],
  target: { name: 'charges', unit: 'USD', description: 'Yearly charges.' },
  inputs: {
    layout: 'per-field',
    inputs: [
      { field: 'age', input: 'age_in', type: 'int64' },
      { field: 'bmi', input: 'bmi_in', type: 'float32' },
      { field: 'children', input: 'children_in', type: 'float32' },
      { field: 'score', input: 'score_in', type: 'float64' },
      { field: 'smoker', input: 'smoker_in', type: 'string' },
    ],
  },
  output: { name: 'charges' },
} as const satisfies ModelSchema;

/** A matrix-layout schema with standardization, one-hot and a product feature (tests only). */
export const matrixSchema = {
  schemaVersion: 1,
  model: { name: 'toy-matrix', version: '0.1.0' },
  fields: [
    {
      kind: 'numeric',
      name: 'age',
      dtype: 'integer',
      min: 18,
      max: 100,
      description: 'Age.',
      example: 40,
    },
    {
      kind: 'numeric',
      name: 'bmi',
      dtype: 'float',
      min: 10,
      max: 80,
      description: 'BMI.',
      example: 30,
    },
    {
      kind: 'categorical',
      name: 'region',
      levels: ['north', 'south', 'east'],
      description: 'Region.',
      example: 'south',
    },
    {
      kind: 'categorical',
      name: 'smoker',
      levels: ['no', 'yes'],
      description: 'Smoker.',
      example: 'no',
    },
  ],
  target: { name: 'y' },
  inputs: {
    layout: 'matrix',
    input: 'X',
    features: [
      { kind: 'numeric', field: 'age', mean: 40, std: 10 },
      { kind: 'numeric', field: 'bmi' },
      { kind: 'one-hot', field: 'region', level: 'south' },
      { kind: 'one-hot', field: 'region', level: 'east' },
      {
        kind: 'product',
        of: [
          { kind: 'one-hot', field: 'smoker', level: 'yes' },
          { kind: 'numeric', field: 'bmi', mean: 30 },
        ],
        std: 2,
      },
      { kind: 'threshold', field: 'bmi', min: 30 },
    ],
  },
  output: { name: 'y' },
} as const satisfies ModelSchema;

/** A format-2 classification schema: the per-field schema predicting a string class. */
export const classificationSchema = {
  ...perFieldSchema,
  schemaVersion: 2,
  task: 'classification',
  model: { name: 'toy-classifier', version: '0.2.0' },
  target: { name: 'risk', description: 'Risk class' },
  output: { name: 'output_label', probabilities: 'output_probability', classes: ['low', 'high'] },
} as const satisfies ModelSchema;

/** A deep, freely mutable copy of a JSON fixture, for breaking it in tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary JSON paths
export const mutable = (x: unknown): any => structuredClone(x);

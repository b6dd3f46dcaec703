import { errorBodySchema } from '@modelship/contract';
import { z } from 'zod';
import type { ServedModel } from '../model/served-model.ts';
import { oipDatatypes } from '../v2/datatypes.ts';
import { inferenceRequestSchema } from '../v2/infer-request.ts';
import { ref, type SchemaObject, taskOf } from './helpers.ts';

/** Drops the dialect declaration: OpenAPI 3.1's default dialect is draft 2020-12 already. */
function withoutDialect(schema: SchemaObject): SchemaObject {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** Options of {@link componentSchemas}. */
export interface ComponentSchemasOptions {
  readonly model: Pick<ServedModel, 'schema' | 'compiled'> & Partial<Pick<ServedModel, 'task'>>;
  /** Most records under `instances` (MAX_BATCH). */
  readonly maxBatch: number;
}

/**
 * The document's schemas. The record comes from the feature schema (the same zod schema that
 * validates requests); the inference request from the zod schema that parses it; the rest
 * describe the service's and the protocol's fixed envelopes.
 */
export function componentSchemas(options: ComponentSchemasOptions): Record<string, SchemaObject> {
  const { model, maxBatch } = options;
  const { target } = model.schema;
  const task = taskOf(model);
  const predictionText = `Predicted ${target.description ?? target.name}${target.unit ? ` (${target.unit})` : ''}.`;
  const value: SchemaObject =
    task.kind === 'classification'
      ? {
          type: task.labelType === 'string' ? 'string' : 'integer',
          enum: [...task.classes],
          description: `${predictionText.slice(0, -1)}: the most probable class.`,
        }
      : { type: 'number', description: predictionText };
  const probabilities: SchemaObject | undefined =
    task.kind === 'classification'
      ? {
          type: 'object',
          description: 'The probability of each class (the labels are the keys); they sum to 1.',
          required: task.classes.map(String),
          additionalProperties: false,
          properties: Object.fromEntries(
            task.classes.map((label) => [
              String(label),
              { type: 'number', minimum: 0, maximum: 1 },
            ]),
          ),
        }
      : undefined;
  const withProbabilities = (batch: boolean) =>
    probabilities
      ? {
          probabilities: batch
            ? {
                type: 'array',
                items: ref('ClassProbabilities'),
                description: 'One per instance, in order.',
              }
            : ref('ClassProbabilities'),
        }
      : {};
  const required = (batch: boolean) => [
    batch ? 'predictions' : 'prediction',
    ...(probabilities ? ['probabilities'] : []),
    'model',
  ];
  const tensor = (description: string) => ({
    type: 'object',
    description,
    required: ['name', 'datatype', 'shape'],
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string', enum: [...oipDatatypes] },
      shape: {
        type: 'array',
        items: { type: 'integer' },
        description: '-1: any size (the batch).',
      },
    },
  });
  return {
    FeatureRecord: withoutDialect(model.compiled.jsonSchema),
    BatchRequest: {
      type: 'object',
      required: ['instances'],
      additionalProperties: false,
      properties: {
        instances: { type: 'array', items: ref('FeatureRecord'), minItems: 1, maxItems: maxBatch },
      },
    },
    ModelRef: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    PredictedValue: value,
    ...(probabilities ? { ClassProbabilities: probabilities } : {}),
    Prediction: {
      type: 'object',
      required: required(false),
      properties: { prediction: value, ...withProbabilities(false), model: ref('ModelRef') },
    },
    BatchPrediction: {
      type: 'object',
      required: required(true),
      properties: {
        predictions: {
          type: 'array',
          items: ref('PredictedValue'),
          description: `${value.description} One per instance, in order.`,
        },
        ...withProbabilities(true),
        model: ref('ModelRef'),
      },
    },
    // The one error body of the service and nginx, from @modelship/contract.
    Error: withoutDialect(z.toJSONSchema(errorBodySchema) as SchemaObject),
    Health: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', const: 'ok' } },
    },
    Readiness: {
      type: 'object',
      required: ['status', 'model'],
      properties: {
        status: {
          type: 'string',
          enum: ['starting', 'ready', 'draining', 'stopping', 'stopped'],
        },
        model: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            fingerprint: { type: 'string' },
          },
        },
      },
    },
    OipServerMetadata: {
      type: 'object',
      required: ['name', 'version', 'extensions'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        extensions: { type: 'array', items: { type: 'string' } },
      },
    },
    OipLive: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } },
    OipReady: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } },
    OipModelReady: {
      type: 'object',
      required: ['name', 'ready'],
      properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
    },
    OipMetadataTensor: tensor('A tensor: name, datatype and shape.'),
    OipModelMetadata: {
      type: 'object',
      required: ['name', 'platform', 'inputs', 'outputs'],
      properties: {
        name: { type: 'string' },
        versions: { type: 'array', items: { type: 'string' } },
        platform: { type: 'string' },
        inputs: { type: 'array', items: ref('OipMetadataTensor') },
        outputs: { type: 'array', items: ref('OipMetadataTensor') },
        parameters: {
          type: 'object',
          description:
            'How POST /explain explains the served version, chosen from its graph at load: explain_method (additive, tree-shap, exact, sampling, or none with explain_unavailable saying why), explain_space (value, margin, probability), explain_background_rows.',
          additionalProperties: { type: ['string', 'number'] },
        },
      },
    },
    OipInferenceRequest: {
      ...withoutDialect(z.toJSONSchema(inferenceRequestSchema, { target: 'draft-2020-12' })),
      description:
        'One input per field of the model (see the model metadata), shape [N] or [N,1], data flat or nested row-major: BYTES strings for categorical fields, FP32/FP64/INT64 numbers for numeric ones.',
    },
    OipInferenceResponse: {
      type: 'object',
      required: ['model_name', 'outputs'],
      properties: {
        model_name: { type: 'string' },
        model_version: { type: 'string' },
        id: { type: 'string', description: "The request's id, or the X-Request-Id." },
        outputs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'shape', 'datatype', 'data'],
            properties: {
              name: { type: 'string' },
              shape: { type: 'array', items: { type: 'integer' } },
              datatype: { type: 'string', enum: ['FP32', 'FP64', 'INT64', 'BYTES'] },
              data: { type: 'array', items: { type: ['number', 'string'] } },
            },
          },
        },
      },
    },
    OipError: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string' } },
    },
  };
}

import { type CompiledSchema, type FeatureRecord, maxRecordKeys } from '@modelship/feature-schema';
import {
  type ErrorBody,
  InternalError,
  MalformedJsonError,
  NotReadyError,
  PayloadTooLargeError,
  QueueFullError,
  TooManyKeysError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.ts';
import type { ServedModel } from '../model/served-model.ts';
import { fieldDatatype } from '../v2/datatypes.ts';
import { ModelNotFoundError } from '../v2/errors.ts';
import { InferRequestError, parseInferRequest } from '../v2/infer-request.ts';
import { oipOutputs } from '../v2/outputs.ts';

/** An OpenAPI Example Object. */
export interface Example {
  readonly summary: string;
  readonly value: unknown;
}

/**
 * A record that breaks the schema in two places (the first numeric field above its range or
 * not a number, the first categorical field with an unknown level), to show real errors.
 */
export function invalidRecord(
  compiled: Pick<CompiledSchema, 'schema' | 'example'>,
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...compiled.example };
  const numeric = compiled.schema.fields.find((f) => f.kind === 'numeric');
  if (numeric) record[numeric.name] = numeric.max !== undefined ? numeric.max + 1 : 'many';
  const categorical = compiled.schema.fields.find((f) => f.kind === 'categorical');
  if (categorical) record[categorical.name] = 'unknown';
  return record;
}

/** The service's error bodies, each produced by the error class that the service throws. */
export function serviceErrorExamples(
  compiled: Pick<CompiledSchema, 'schema' | 'example' | 'validate'>,
  bodyLimit: number,
) {
  const validation = compiled.validate(invalidRecord(compiled));
  const body = (error: { toBody(): ErrorBody }) => error.toBody();
  return {
    malformed: { summary: 'The body is not JSON', value: body(new MalformedJsonError()) },
    tooLarge: {
      summary: 'The body exceeds BODY_LIMIT',
      value: body(new PayloadTooLargeError(bodyLimit)),
    },
    tooManyKeys: {
      summary: 'An object of far more keys than a record has',
      value: body(new TooManyKeysError(maxRecordKeys(compiled.schema))),
    },
    mediaType: {
      summary: 'The body is not declared as JSON',
      value: body(new UnsupportedMediaTypeError('text/plain')),
    },
    validation: {
      summary: 'Fields that break the schema',
      value: body(new ValidationError(validation.ok ? [] : validation.issues)),
    },
    notReady: { summary: 'The model is warming up', value: body(new NotReadyError('starting')) },
    overloaded: { summary: 'The batching queue is full', value: body(new QueueFullError()) },
    internal: { summary: 'An unexpected failure', value: body(new InternalError()) },
  } satisfies Record<string, Example>;
}

/** An Open Inference Protocol request for `records` (one input per field, shape [N,1]). */
export function inferRequestFor(
  schema: CompiledSchema['schema'],
  records: readonly FeatureRecord[],
  id = '42',
) {
  return {
    id,
    inputs: schema.fields.map((field) => ({
      name: field.name,
      shape: [records.length, 1],
      datatype: fieldDatatype(schema, field),
      data: records.map((r) => r[field.name]),
    })),
    outputs: [{ name: schema.target.name }],
  };
}

/** The protocol's error bodies, produced by the code that answers them. */
export function oipErrorExamples(
  model: Pick<ServedModel, 'compiled' | 'schema' | 'outputs'> & Partial<Pick<ServedModel, 'task'>>,
  maxBatch: number,
) {
  const { compiled, schema } = model;
  const bad = inferRequestFor(schema, [compiled.example]);
  const wrong = {
    ...bad,
    inputs: bad.inputs.map((input, i) => (i === 0 ? { ...input, datatype: 'BOOL' } : input)),
  };
  let message = 'Invalid inference request.';
  try {
    parseInferRequest(wrong, {
      schema: compiled,
      outputNames: oipOutputs(model).map((o) => o.name),
      maxBatch,
    });
  } catch (error) {
    if (error instanceof InferRequestError) message = error.message;
  }
  return {
    badRequest: { summary: 'A wrong datatype', value: { error: message } },
    notFound: {
      summary: 'An unknown model',
      value: { error: new ModelNotFoundError('other').message },
    },
    notReady: {
      summary: 'The model is warming up',
      value: { error: new NotReadyError('starting').message },
    },
  } satisfies Record<string, Example>;
}

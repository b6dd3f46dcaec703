import { maxRecordKeys } from '@modelship/feature-schema';
import { oipErrorExamples, serviceErrorExamples } from './examples.ts';
import { json, type OpenApiOptions, ref, retryAfter } from './helpers.ts';

/**
 * The error responses, each with the body the service really sends (see `examples.ts`): the
 * service's `{"error": {code, message, details}}` and the protocol's `{"error": "message"}`.
 */
export function componentResponses(options: OpenApiOptions) {
  const { model, maxBatch, bodyLimit } = options;
  const errors = serviceErrorExamples(model.compiled, bodyLimit);
  const maxKeys = maxRecordKeys(model.schema);
  const oip = oipErrorExamples(model, maxBatch);
  const error = (examples: Record<string, unknown>) => json(ref('Error'), examples);
  const oipError = (examples: Record<string, unknown>) => json(ref('OipError'), examples);
  const flat = (example: { summary: string; value: { error: { message: string } } }) => ({
    summary: example.summary,
    value: { error: example.value.error.message },
  });
  return {
    MalformedJson: {
      description: 'The body is not valid JSON.',
      content: error({ malformed: errors.malformed }),
    },
    PayloadTooLarge: {
      description: `The body exceeds ${bodyLimit} bytes, or holds an object of more than ${maxKeys} keys.`,
      content: error({ tooLarge: errors.tooLarge, tooManyKeys: errors.tooManyKeys }),
    },
    UnsupportedMediaType: {
      description: 'Content-Type is not JSON.',
      content: error({ mediaType: errors.mediaType }),
    },
    ValidationFailed: {
      description:
        'Well-formed JSON that breaks the schema; `details` names the invalid fields (the first 100; the message counts them all).',
      content: error({ validation: errors.validation }),
    },
    Unavailable: {
      description: 'Not serving yet (or any more), or the batching queue is full.',
      headers: retryAfter,
      content: error({ notReady: errors.notReady, overloaded: errors.overloaded }),
    },
    Internal: {
      description: 'An unexpected failure, logged under the request id.',
      content: error({ internal: errors.internal }),
    },
    OipBadRequest: {
      description: 'A bad request: wrong datatype or shape, mismatched lengths, invalid values.',
      content: oipError({ badRequest: oip.badRequest, malformed: flat(errors.malformed) }),
    },
    OipNotFound: {
      description: 'Unknown model or version.',
      content: oipError({ notFound: oip.notFound }),
    },
    OipPayloadTooLarge: {
      description: `The body exceeds ${bodyLimit} bytes, or holds an object of more than ${maxKeys} keys.`,
      content: oipError({
        tooLarge: flat(errors.tooLarge),
        tooManyKeys: flat(errors.tooManyKeys),
      }),
    },
    OipUnsupportedMediaType: {
      description: 'Content-Type is not JSON.',
      content: oipError({ mediaType: flat(errors.mediaType) }),
    },
    OipNotReady: {
      description: 'Not serving yet (or any more), or the batching queue is full.',
      headers: retryAfter,
      content: oipError({ notReady: oip.notReady, overloaded: flat(errors.overloaded) }),
    },
    OipInternal: {
      description: 'An unexpected failure, logged under the request id.',
      content: oipError({ internal: flat(errors.internal) }),
    },
  };
}

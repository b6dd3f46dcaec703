import { modelMetadata } from '../v2/metadata.ts';
import { oipOutputs } from '../v2/outputs.ts';
import { serverMetadata } from '../v2/server-info.ts';
import { inferRequestFor } from './examples.ts';
import { json, type OpenApiOptions, ref, responseRef } from './helpers.ts';

const tags = ['Open Inference Protocol'];

/** The model routes, at `/v2/models/{name}` + `suffix` (none, or `/versions/{version}`). */
function modelPaths(options: OpenApiOptions, suffix: '' | '/versions/{version}') {
  const { model, examplePrediction } = options;
  const { identity, schema, compiled } = model;
  const metadata = modelMetadata(model);
  const request = inferRequestFor(schema, [compiled.example]);
  const response = {
    model_name: identity.name,
    model_version: identity.version,
    id: request.id,
    outputs: oipOutputs(model).map((o) => ({
      name: o.name,
      shape: [1, ...o.innerShape],
      datatype: o.datatype,
      data: examplePrediction === undefined ? [] : o.data([examplePrediction]),
    })),
  };
  const parameters = [
    { $ref: '#/components/parameters/ModelName' },
    ...(suffix ? [{ $ref: '#/components/parameters/ModelVersion' }] : []),
  ];
  const id = (name: string) => `${name}${suffix ? 'Version' : ''}`;
  const readyExample = (ready: boolean) => ({
    [ready ? 'ready' : 'notReady']: {
      summary: ready ? 'Ready' : 'Not ready',
      value: { name: identity.name, ready },
    },
  });
  const base = `/v2/models/{name}${suffix}`;
  return {
    [base]: {
      parameters,
      get: {
        tags,
        summary: 'Model metadata',
        operationId: id('modelMetadata'),
        responses: {
          '200': {
            description: 'The inputs (one per field of the schema) and the output.',
            content: json(ref('OipModelMetadata'), {
              model: { summary: identity.name, value: metadata },
            }),
          },
          '404': responseRef('OipNotFound'),
        },
      },
    },
    [`${base}/ready`]: {
      parameters,
      get: {
        tags,
        summary: 'Model readiness',
        operationId: id('modelReady'),
        responses: {
          '200': { description: 'Ready.', content: json(ref('OipModelReady'), readyExample(true)) },
          '404': responseRef('OipNotFound'),
          '503': {
            description: 'Not ready (starting or draining).',
            content: json(ref('OipModelReady'), readyExample(false)),
          },
        },
      },
    },
    [`${base}/infer`]: {
      parameters,
      post: {
        tags,
        summary: 'Inference',
        operationId: id('modelInfer'),
        requestBody: {
          required: true,
          content: json(ref('OipInferenceRequest'), {
            example: { summary: 'One row', value: request },
          }),
        },
        responses: {
          '200': {
            description:
              'The output tensors: one value per row (a classifier: its label, and its probabilities, one row of one column per class).',
            content: json(
              ref('OipInferenceResponse'),
              examplePrediction === undefined
                ? undefined
                : { example: { summary: 'One row', value: response } },
            ),
          },
          '400': responseRef('OipBadRequest'),
          '404': responseRef('OipNotFound'),
          '413': responseRef('OipPayloadTooLarge'),
          '415': responseRef('OipUnsupportedMediaType'),
          '500': responseRef('OipInternal'),
          '503': responseRef('OipNotReady'),
        },
      },
    },
  };
}

/**
 * The Open Inference Protocol paths: server metadata, health, and the model routes with and
 * without a version.
 */
export function oipPaths(options: OpenApiOptions) {
  const simple = (operationId: string, summary: string, schema: string, value: unknown) => ({
    get: {
      tags,
      summary,
      operationId,
      responses: {
        '200': {
          description: summary,
          content: json(ref(schema), { example: { summary, value } }),
        },
      },
    },
  });
  const ready = simple('serverReady', 'Server readiness', 'OipReady', { ready: true });
  return {
    '/v2': simple('serverMetadata', 'Server metadata', 'OipServerMetadata', serverMetadata),
    '/v2/health/live': simple('serverLive', 'Server liveness', 'OipLive', { live: true }),
    '/v2/health/ready': {
      get: {
        ...ready.get,
        responses: {
          ...ready.get.responses,
          '503': {
            description: 'Not ready (starting or draining).',
            content: json(ref('OipReady'), {
              notReady: { summary: 'Not ready', value: { ready: false } },
            }),
          },
        },
      },
    },
    ...modelPaths(options, ''),
    ...modelPaths(options, '/versions/{version}'),
  };
}

import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { predictedValue, presentMany, presentOne } from '../predict/present.ts';
import { html, json, type OpenApiOptions, ref, responseRef, taskOf } from './helpers.ts';

/** The service's own paths: the JSON API, the probes, the metrics, the form and the docs. */
export function servicePaths(options: OpenApiOptions) {
  const { model, examplePrediction } = options;
  const { compiled, identity } = model;
  const task = taskOf(model);
  const modelRef = { name: identity.name, version: identity.version };
  const has = examplePrediction !== undefined;
  const one = has ? presentOne(task, examplePrediction, modelRef) : undefined;
  const many = has ? presentMany(task, [examplePrediction], modelRef) : undefined;
  const errors = {
    '400': responseRef('MalformedJson'),
    '413': responseRef('PayloadTooLarge'),
    '415': responseRef('UnsupportedMediaType'),
    '422': responseRef('ValidationFailed'),
    '500': responseRef('Internal'),
    '503': responseRef('Unavailable'),
  };
  const single = { summary: 'One record', value: compiled.example };
  const get = (tag: string, operationId: string, summary: string, responses: unknown) => ({
    get: { tags: [tag], summary, operationId, responses },
  });
  return {
    '/predict': {
      post: {
        tags: ['Prediction'],
        summary: 'Predict one record or a batch',
        operationId: 'predict',
        requestBody: {
          required: true,
          content: json(
            { oneOf: [ref('FeatureRecord'), ref('BatchRequest')] },
            {
              single,
              batch: { summary: 'A batch (instances)', value: { instances: [compiled.example] } },
            },
          ),
        },
        responses: {
          '200': {
            description:
              'The prediction (one record), or the predictions in input order (a batch).',
            content: json(
              { oneOf: [ref('Prediction'), ref('BatchPrediction')] },
              has
                ? {
                    single: { summary: 'One record', value: one },
                    batch: { summary: 'A batch', value: many },
                  }
                : undefined,
            ),
          },
          ...errors,
        },
      },
    },
    '/predict_api': {
      post: {
        tags: ['Prediction'],
        summary:
          task.kind === 'classification'
            ? "Predict one record; answer the bare class label (the tutorial app's endpoint)"
            : "Predict one record; answer the bare number (the tutorial app's endpoint)",
        operationId: 'predictApi',
        requestBody: { required: true, content: json(ref('FeatureRecord'), { single }) },
        responses: {
          '200': {
            description:
              task.kind === 'classification' ? 'The predicted class.' : 'The prediction.',
            content: json(
              ref('PredictedValue'),
              has
                ? { single: { summary: 'One record', value: predictedValue(examplePrediction) } }
                : undefined,
            ),
          },
          ...errors,
        },
      },
    },
    [OPERATIONAL_ROUTES.health]: get('Operations', 'healthz', 'Liveness', {
      '200': {
        description: 'The process is up.',
        content: json(ref('Health'), { ok: { summary: 'Live', value: { status: 'ok' } } }),
      },
    }),
    [OPERATIONAL_ROUTES.ready]: get('Operations', 'readyz', 'Readiness', {
      '200': {
        description: 'Serving.',
        content: json(ref('Readiness'), {
          ready: { summary: 'Ready', value: { status: 'ready', model: identity } },
        }),
      },
      '503': {
        description: 'Starting, draining or stopped.',
        content: json(ref('Readiness'), {
          draining: { summary: 'Draining', value: { status: 'draining', model: identity } },
        }),
      },
    }),
    [OPERATIONAL_ROUTES.metrics]: get('Operations', 'metrics', 'Prometheus metrics', {
      '200': {
        description: 'The Prometheus text exposition format.',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    }),
    [OPERATIONAL_ROUTES.monitoring]: get('Operations', 'monitoring', 'The drift page', {
      '200': {
        description:
          'Per field, the training share beside the live share of each bin (inline SVG), its PSI and the window; in the pod, on the metrics port only.',
        content: html,
      },
    }),
    [OPERATIONAL_ROUTES.reload]: {
      post: {
        tags: ['Operations'],
        summary: 'Reload a versioned model source',
        description:
          'Reads `current`; a new version is loaded beside the served one, checked (fingerprint, layout, warm-up) and switched to. In the pod, on the metrics port only.',
        operationId: 'reloadModel',
        responses: {
          '200': {
            description: '`switched` to the named version, or `unchanged` (already served).',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '409': {
            description:
              '`refused` (the version failed a check; the served one stays) or `not_versioned` (a plain model directory).',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/': {
      ...get('Web', 'form', 'The web form', {
        '200': { description: 'An HTML form generated from the schema.', content: html },
      }),
      post: {
        tags: ['Web'],
        summary: 'Submit the web form (without JavaScript)',
        operationId: 'submitForm',
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('FeatureRecord') } },
        },
        responses: {
          '200': { description: 'The form, values kept, with the prediction.', content: html },
          '422': {
            description: 'The form with a message next to each invalid field.',
            content: html,
          },
          '503': {
            description: 'The form with a "not ready" or "overloaded" message.',
            content: html,
          },
        },
      },
    },
    '/openapi.json': get('Web', 'openapi', 'This document', {
      '200': {
        description: 'OpenAPI 3.1, generated from the schema.',
        content: json({ type: 'object' }),
      },
    }),
    '/docs': get('Web', 'docs', 'This document, rendered', {
      '200': { description: 'Swagger UI.', content: html },
    }),
  };
}

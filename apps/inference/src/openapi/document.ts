import { componentSchemas } from './components.ts';
import type { OpenApiOptions } from './helpers.ts';
import { explainPaths } from './paths-explain.ts';
import { oipPaths } from './paths-oip.ts';
import { servicePaths } from './paths-service.ts';
import { componentResponses } from './responses.ts';

export type { OpenApiOptions } from './helpers.ts';

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = Record<string, unknown>;

/**
 * Generates the service's OpenAPI 3.1 document from the model's schema: the record schema,
 * examples made by the code that answers them (the schema's example record, the errors that
 * the validator and the error classes produce), `/predict`, `/predict_api`, the probes, the
 * metrics, the Open Inference Protocol routes, the web form and the docs.
 *
 * @see https://spec.openapis.org/oas/v3.1.0
 * @example
 * const doc = buildOpenApiDocument({ model, maxBatch: 1000, bodyLimit: 1048576 });
 */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const { schema, identity } = options.model;
  return {
    openapi: '3.1.0',
    info: {
      title: `${identity.name} inference API`,
      version: identity.version,
      description: [
        schema.model.description,
        `Serves the model **${identity.name}** ${identity.version} (schema fingerprint ` +
          `\`${identity.fingerprint}\`). Errors are JSON; the Open Inference Protocol routes ` +
          'answer `{"error": "message"}`. Every response carries an `X-Request-Id`.',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
    tags: [
      { name: 'Prediction', description: 'The JSON API.' },
      {
        name: 'Open Inference Protocol',
        description: 'The v2 REST protocol of KServe, Triton and MLServer.',
        externalDocs: { url: 'https://github.com/kserve/open-inference-protocol' },
      },
      { name: 'Operations', description: 'Probes and metrics.' },
      { name: 'Web', description: 'The web form and this documentation.' },
    ],
    paths: { ...servicePaths(options), ...explainPaths(options), ...oipPaths(options) },
    components: {
      schemas: componentSchemas(options),
      parameters: {
        ModelName: {
          name: 'name',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: [identity.name] },
          example: identity.name,
        },
        ModelVersion: {
          name: 'version',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: [identity.version] },
          example: identity.version,
        },
      },
      responses: componentResponses(options),
    },
  };
}

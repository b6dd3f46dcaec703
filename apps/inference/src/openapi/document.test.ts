import { compileSchema, type ModelSchema } from '@modelship/feature-schema';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { fakeDeps, fakeInsurancePrediction, postJson } from '../testing/fake-deps.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './document.ts';
import { invalidRecord } from './examples.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk a plain JSON document
type Json = Record<string, any>;

async function validate(document: OpenApiDocument) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  return { result, validator };
}

async function served(options: Parameters<typeof fakeDeps>[0] = {}) {
  const { deps, lines } = fakeDeps(options);
  const app = createApp(deps);
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return { app, deps, lines, doc: (await res.json()) as Json };
}

/** A second, unrelated schema: the document must follow it with no code change. */
const otherSchema: ModelSchema = {
  schemaVersion: 1,
  model: { name: 'house-prices', version: '3.1.4' },
  fields: [
    {
      kind: 'numeric',
      name: 'rooms',
      dtype: 'integer',
      min: 1,
      max: 20,
      description: 'Rooms.',
      example: 4,
    },
    {
      kind: 'categorical',
      name: 'city',
      levels: ['paris', 'lyon'],
      description: 'City.',
      example: 'lyon',
    },
  ],
  target: { name: 'price', unit: 'EUR' },
  inputs: {
    layout: 'matrix',
    input: 'X',
    features: [
      { kind: 'numeric', field: 'rooms' },
      { kind: 'one-hot', field: 'city', level: 'paris' },
    ],
  },
  output: { name: 'y' },
};

describe('the OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema, and every $ref resolves', async () => {
    const { doc } = await served();
    const { result, validator } = await validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
    expect(JSON.stringify(validator.resolveRefs())).not.toContain('"$ref"');
  });

  it('is invalid when broken (the validation test can fail)', async () => {
    const { doc } = await served();
    const broken = { ...doc, paths: { ...doc.paths, '/predict': { post: { responses: 'none' } } } };
    expect((await validate(broken)).result.valid).toBe(false);
  });

  it('documents exactly the routes the app serves (method and path)', async () => {
    const { app, doc } = await served();
    const routes = new Set(
      app.routes
        .filter((r) => (r.method === 'GET' || r.method === 'POST') && !r.path.includes('*'))
        .filter((r) => !r.path.startsWith('/docs/') && !r.path.startsWith('/static/'))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths as Json).flatMap(([path, item]) =>
        ['get', 'post'].filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('takes the record from the schema: fields, ranges, levels, units', async () => {
    const { doc } = await served();
    const record = doc.components.schemas.FeatureRecord;
    expect(record.required).toEqual(['age', 'sex', 'bmi', 'children', 'smoker', 'region']);
    expect(record.properties.age).toMatchObject({ type: 'integer', minimum: 18, maximum: 100 });
    expect(record.properties.region.enum).toEqual([
      'northeast',
      'northwest',
      'southeast',
      'southwest',
    ]);
    expect(record.additionalProperties).toBe(false);
    expect(doc.components.schemas.BatchRequest.properties.instances.maxItems).toBe(1000);
    expect(doc.components.parameters.ModelName.schema.enum).toEqual(['insurance-charges']);
  });

  it('follows another schema with no code change', async () => {
    const compiled = compileSchema(otherSchema);
    const doc = buildOpenApiDocument({
      model: {
        schema: otherSchema,
        compiled,
        identity: { name: 'house-prices', version: '3.1.4', fingerprint: compiled.fingerprint },
        outputs: [],
      },
      maxBatch: 10,
      bodyLimit: 2048,
    }) as Json;
    expect((await validate(doc)).result.valid).toBe(true);
    expect(Object.keys(doc.components.schemas.FeatureRecord.properties)).toEqual(['rooms', 'city']);
    expect(doc.info.title).toBe('house-prices inference API');
    expect(doc.components.parameters.ModelVersion.schema.enum).toEqual(['3.1.4']);
    expect(doc.components.schemas.Prediction.properties.prediction.description).toBe(
      'Predicted price (EUR).',
    );
    const infer = doc.paths['/v2/models/{name}/infer'].post;
    expect(infer.requestBody.content['application/json'].examples.example.value.inputs).toEqual([
      { name: 'rooms', shape: [1, 1], datatype: 'INT64', data: [4] },
      { name: 'city', shape: [1, 1], datatype: 'BYTES', data: ['lyon'] },
    ]);
    // No prediction to show: no made-up example value.
    expect(infer.responses['200'].content['application/json'].examples).toBeUndefined();
    expect(doc.components.responses.PayloadTooLarge.description).toBe(
      'The body exceeds 2048 bytes, or holds an object of more than 34 keys.',
    );
  });
});

describe('its examples are what the service really answers', () => {
  const exampleOf = (doc: Json, path: string, status: string, name: string, kind = 'responses') => {
    const op = doc.paths[path].post;
    const content = kind === 'requestBody' ? op.requestBody.content : op.responses[status].content;
    return content['application/json'].examples[name].value;
  };

  it.each([
    ['/predict', 'single'],
    ['/predict', 'batch'],
    ['/predict_api', 'single'],
    ['/v2/models/{name}/infer', 'example'],
  ])('POST %s (%s): the request example gets the response example', async (path, name) => {
    const { app, doc } = await served();
    const url = path.replace('{name}', 'insurance-charges');
    const request = exampleOf(doc, path, '200', name, 'requestBody');
    const res = await app.request(url, postJson(request, { 'X-Request-Id': '42' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(exampleOf(doc, path, '200', name));
  });

  it('shows the prediction of the model for the example record', async () => {
    const { doc, deps } = await served();
    const example = exampleOf(doc, '/predict', '200', 'single');
    expect(example.prediction).toBe(fakeInsurancePrediction(deps.model.compiled.example));
  });

  it('shows the validation error the validator really produces', async () => {
    const { app, doc, deps } = await served();
    const res = await app.request('/predict', postJson(invalidRecord(deps.model.compiled)));
    expect(res.status).toBe(422);
    const documented = doc.components.responses.ValidationFailed.content['application/json'];
    expect(await res.json()).toEqual(documented.examples.validation.value);
    expect(documented.examples.validation.value.error.details).toHaveLength(2);
  });

  it('shows the protocol errors as {"error": "message"}', async () => {
    const { app, doc } = await served();
    const notFound = doc.components.responses.OipNotFound.content['application/json'];
    const res = await app.request('/v2/models/other');
    expect(await res.json()).toEqual(notFound.examples.notFound.value);
    const bad = doc.components.responses.OipBadRequest.content['application/json'];
    expect(bad.examples.badRequest.value.error).toMatch(/has datatype BOOL; expected/);
  });

  it('is built without example predictions while not serving, and with them once serving', async () => {
    const { app, deps, doc } = await served({ ready: false });
    const content = (d: Json) =>
      d.paths['/predict'].post.responses['200'].content['application/json'];
    expect(content(doc).examples).toBeUndefined();
    deps.readiness.markReady();
    const later = (await (await app.request('/openapi.json')).json()) as Json;
    expect(content(later).examples.single.value.prediction).toBe(
      fakeInsurancePrediction(deps.model.compiled.example),
    );
  });
});

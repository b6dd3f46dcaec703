// A classifier served end to end: foreign models (exported with skl2onnx's layout, not trained
// here) behind the real service, over real HTTP for one of them, answering every API with
// scikit-learn's labels and probabilities.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { loadModel } from './model/load.ts';
import { inferRequestFor } from './openapi/examples.ts';
import { createDeps, type Service, startService } from './service.ts';
import { memoryLogger, postJson } from './testing/fake-deps.ts';
import { foreignExpected, foreignFixtures, stampedForeignModel } from './testing/foreign-models.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests read plain JSON bodies
type Json = Record<string, any>;

const near = (actual: number, expected: number) => Math.abs(actual - expected) < 1e-5;

/** `{label: p}` from a row of predict_proba. */
const asObject = (classes: readonly (string | number)[], row: readonly number[]) =>
  Object.fromEntries(classes.map((c, i) => [String(c), row[i] as number]));

function expectProbabilities(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [label, p] of Object.entries(expected)) {
    expect(near(actual[label] as number, p), `${label}: ${actual[label]} vs ${p}`).toBe(true);
  }
}

describe('a binary classifier with string labels (ZipMap), over real HTTP', () => {
  const expected = foreignExpected(foreignFixtures.churnBinary);
  const classes = expected.classes ?? [];
  let service: Service;
  let base: string;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, postJson(body));
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    const dir = await stampedForeignModel(foreignFixtures.churnBinary);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', OPS_PORT: '0', MODEL_DIR: dir });
    service = await startService({ config, logger: memoryLogger().logger, exit: () => {} });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.shutdown.begin('test done');
  });

  it('/predict answers the class and the probability of each class', async () => {
    const { status, body } = await post('/predict', expected.records[0]);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['prediction', 'probabilities', 'model']);
    expect(body.prediction).toBe(expected.labels?.[0]);
    expectProbabilities(body.probabilities, asObject(classes, expected.probabilities?.[0] ?? []));
    expect(body.model).toEqual({ name: 'telco-churn', version: '0.3.0' });
  });

  it('/predict with instances answers every row in input order', async () => {
    const { status, body } = await post('/predict', { instances: expected.records });
    expect(status).toBe(200);
    expect(body.predictions).toEqual(expected.labels);
    expect(body.probabilities).toHaveLength(expected.records.length);
    body.probabilities.forEach((row: Record<string, number>, i: number) => {
      expectProbabilities(row, asObject(classes, expected.probabilities?.[i] ?? []));
    });
  });

  it('/predict_api answers the bare label', async () => {
    const yes = expected.labels?.indexOf('yes') ?? -1;
    expect(yes).toBeGreaterThanOrEqual(0);
    const { status, body } = await post('/predict_api', expected.records[yes]);
    expect(status).toBe(200);
    expect(body).toBe('yes');
  });

  it('the Open Inference Protocol lists and answers both outputs (BYTES label, FP32 probabilities)', async () => {
    const metadata = (await (await fetch(`${base}/v2/models/telco-churn`)).json()) as Json;
    expect(metadata.outputs).toEqual([
      { name: 'churn', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
    ]);
    const records = expected.records.slice(0, 5);
    const { schema } = service.deps.model;
    const request = { ...inferRequestFor(schema, records), outputs: undefined };
    const { status, body } = await post('/v2/models/telco-churn/infer', request);
    expect(status).toBe(200);
    const [label, probabilities] = body.outputs;
    expect(label).toEqual({
      name: 'churn',
      shape: [5],
      datatype: 'BYTES',
      data: expected.labels?.slice(0, 5),
    });
    expect(probabilities).toMatchObject({ name: 'probabilities', shape: [5, 2], datatype: 'FP32' });
    const flat = (expected.probabilities ?? []).slice(0, 5).flat();
    probabilities.data.forEach((p: number, i: number) => {
      expect(near(p, flat[i] as number)).toBe(true);
    });
    const only = await post('/v2/models/telco-churn/infer', {
      ...request,
      outputs: [{ name: 'probabilities' }],
    });
    expect(only.body.outputs.map((o: Json) => o.name)).toEqual(['probabilities']);
    const unknown = await post('/v2/models/telco-churn/infer', {
      ...request,
      outputs: [{ name: 'charges' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(
      /unknown output "charges" \(outputs: churn, probabilities\)/,
    );
  });

  it('counts predictions per class in the metrics', async () => {
    const before = await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`).then((r) =>
      r.text(),
    );
    const count = (text: string, label: string) =>
      Number(
        text.match(new RegExp(`inference_predicted_class_total\\{class="${label}"\\} (\\d+)`))?.[1],
      );
    await post('/predict', { instances: expected.records });
    const after = await fetch(`http://127.0.0.1:${service.ops?.port}/metrics`).then((r) =>
      r.text(),
    );
    for (const label of ['no', 'yes']) {
      const n = expected.labels?.filter((l) => l === label).length ?? 0;
      expect(count(after, label) - count(before, label)).toBe(n);
    }
  });

  it('documents the classes and probabilities in a valid OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Json;
    const validator = new Validator();
    expect((await validator.validate(structuredClone(doc))).valid).toBe(true);
    const schemas = doc.components.schemas;
    expect(schemas.PredictedValue).toMatchObject({ type: 'string', enum: ['no', 'yes'] });
    expect(schemas.Prediction.required).toEqual(['prediction', 'probabilities', 'model']);
    expect(schemas.ClassProbabilities.required).toEqual(['no', 'yes']);
    const example =
      doc.paths['/predict'].post.responses['200'].content['application/json'].examples.single.value;
    expect(Object.keys(example.probabilities)).toEqual(['no', 'yes']);
  });

  it('the web form shows the class and a bar per class probability', async () => {
    const record = expected.records[0] as Record<string, string | number>;
    const form = new URLSearchParams(
      Object.entries(record).map(([k, v]) => [k, String(v)] as [string, string]),
    );
    const res = await fetch(`${base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`Predicted churn: <strong>${expected.labels?.[0]}</strong>`);
    const meters = [
      ...page.matchAll(
        /<span class="class">(\w+)<\/span><meter min="0" max="1" value="([\d.e-]+)">/g,
      ),
    ];
    expect(meters.map((m) => m[1])).toEqual(['no', 'yes']);
    meters.forEach((m, j) => {
      expect(near(Number(m[2]), expected.probabilities?.[0]?.[j] as number)).toBe(true);
    });
  });
});

describe('a multiclass classifier with integer labels', () => {
  it.each([foreignFixtures.plansMulticlass, foreignFixtures.plansMulticlassNoZipMap])(
    '%s: /predict, /predict_api and the OIP answer INT64 labels and FP32 probabilities',
    async (name) => {
      const model = await loadModel({ dir: await stampedForeignModel(name) });
      const { logger } = memoryLogger();
      const deps = createDeps({ config: loadConfig({}), logger, model, defaultMetrics: false });
      deps.readiness.markReady();
      const app = createApp(deps);
      const expected = foreignExpected(name);
      const classes = expected.classes ?? [];

      const batch = (await (
        await app.request('/predict', postJson({ instances: expected.records }))
      ).json()) as Json;
      expect(batch.predictions).toEqual(expected.labels);
      expect(Object.keys(batch.probabilities[0])).toEqual(['1', '2', '4']);
      batch.probabilities.forEach((row: Record<string, number>, i: number) => {
        expectProbabilities(row, asObject(classes, expected.probabilities?.[i] ?? []));
      });
      const bare = await app.request('/predict_api', postJson(expected.records[1]));
      expect(await bare.json()).toBe(expected.labels?.[1]);

      const metadata = (await (await app.request('/v2/models/plan-picker')).json()) as Json;
      expect(metadata.outputs).toEqual([
        { name: 'plan', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      ]);
      const records = expected.records.slice(0, 4);
      const infer = (await (
        await app.request(
          '/v2/models/plan-picker/infer',
          postJson({ ...inferRequestFor(model.schema, records), outputs: undefined }),
        )
      ).json()) as Json;
      expect(infer.outputs[0]).toEqual({
        name: 'plan',
        shape: [4],
        datatype: 'INT64',
        data: expected.labels?.slice(0, 4),
      });
      expect(infer.outputs[1]).toMatchObject({ shape: [4, 3], datatype: 'FP32' });
      await model.release();
    },
  );
});

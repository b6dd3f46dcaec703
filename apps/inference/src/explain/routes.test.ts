// POST /explain over real HTTP (the service as it starts, its lane included) with real
// onnxruntime: the bundled model (exact), a foreign classifier (additive, margins), the 409s
// of a model without background rows, its limits, its metrics.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProfile, compileSchema, parseSchema } from '@modelship/feature-schema';
import { insuranceModelDir, loadInsuranceRows } from '@modelship/insurance-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../service.ts';
import { loopbackConfig, memoryLogger, postJson } from '../testing/fake-deps.ts';
import {
  foreignExpected,
  foreignFixtures,
  stampedForeignModel,
} from '../testing/foreign-models.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests read plain JSON bodies
type Json = Record<string, any>;

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

async function serve(dir: string, env: Record<string, string> = {}) {
  const config = loopbackConfig({
    MODEL_DIR: dir,
    ...env,
  });
  const service = await startService({ config, logger: memoryLogger().logger, exit: () => {} });
  const base = `http://127.0.0.1:${service.port}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, postJson(body));
    return { status: res.status, body: (await res.json()) as Json };
  };
  return { service, base, post };
}

describe('the bundled insurance model', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  const records = loadInsuranceRows()
    .slice(0, 5)
    .map(({ charges: _, ...r }) => r);
  beforeAll(async () => {
    s = await serve(insuranceModelDir, { EXPLAIN_MAX_BATCH: '4', EXPLAIN_BODY_LIMIT: '2000' });
  });
  afterAll(async () => {
    await s.service.shutdown.begin('test done');
  });

  it('explains one record: exact, in value space, baseline + contributions = the prediction', async () => {
    const { status, body } = await s.post('/explain', records[0]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ method: 'exact', space: 'value', backgroundRows: 200 });
    expect(body.model).toEqual({ name: 'insurance-charges', version: '1.0.0' });
    expect(Object.keys(body.contributions)).toEqual([
      'age',
      'sex',
      'bmi',
      'children',
      'smoker',
      'region',
    ]);
    expect(relative(body.baseline + sum(body.contributions), body.prediction)).toBeLessThan(1e-5);
    const predicted = await s.post('/predict', records[0]);
    expect(body.prediction).toBe(predicted.body.prediction);
    // A smoker's charges are far above the baseline, mostly because of smoking.
    expect(records[0]?.smoker).toBe('yes');
    const largest = Object.entries(body.contributions as Record<string, number>).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
    )[0];
    expect(largest?.[0]).toBe('smoker');
  });

  it('explains a batch in input order, each as /predict predicts it', async () => {
    const batch = records.slice(0, 4);
    const { status, body } = await s.post('/explain', { instances: batch });
    expect(status).toBe(200);
    const predicted = await s.post('/predict', { instances: batch });
    expect(body.explanations.map((e: Json) => e.prediction)).toEqual(predicted.body.predictions);
    for (const e of body.explanations) {
      expect(relative(e.baseline + sum(e.contributions), e.prediction)).toBeLessThan(1e-5);
    }
  });

  it('refuses what /predict refuses, and more than its own batch and body limits', async () => {
    const bad = { ...records[0], bmi: 'heavy' };
    const [explain, predict] = [await s.post('/explain', bad), await s.post('/predict', bad)];
    expect(explain.status).toBe(422);
    expect(explain.body).toEqual(predict.body);
    const tooMany = await s.post('/explain', { instances: records });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.body)).toMatch(/4/);
    const padded = `${JSON.stringify(records[0])}${' '.repeat(2100)}`;
    const res = await fetch(`${s.base}/explain`, { ...postJson(records[0]), body: padded });
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error.code).toBe('payload_too_large');
    // /predict keeps BODY_LIMIT.
    const ok = await fetch(`${s.base}/predict`, { ...postJson(records[0]), body: padded });
    expect(ok.status).toBe(200);
  });

  it('the form shows a bar per field, largest first, signed, with the baseline and the prediction', async () => {
    const form = new URLSearchParams(
      Object.entries(records[0] ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const res = await fetch(`${s.base}/`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const page = await res.text();
    const bars = [
      ...page.matchAll(/<g class="bar (up|down)" data-field="([^"]+)" data-value="([^"]+)"/g),
    ];
    expect(bars.map((b) => b[2])).toHaveLength(6);
    const values = bars.map((b) => Number(b[3]));
    expect(values.map(Math.abs)).toEqual([...values.map(Math.abs)].sort((a, b) => b - a));
    expect(bars[0]?.[2]).toBe('Smoker');
    bars.forEach((b, i) => {
      expect(b[1]).toBe((values[i] as number) >= 0 ? 'up' : 'down');
    });
    const { body } = await s.post('/explain', records[0]);
    expect(page).toContain('exact, value space');
    expect(Math.abs(values.reduce((a, v) => a + v, 0) - sum(body.contributions))).toBeLessThan(
      1e-6,
    );
  });

  it('/metrics counts explained records by method, with their latency', async () => {
    const text = await (await fetch(`http://127.0.0.1:${s.service.ops?.port}/metrics`)).text();
    expect(text).toMatch(/inference_explained_rows_total\{method="exact"\} [1-9]/);
    expect(text).toMatch(/inference_explanation_duration_seconds_count\{method="exact"\} [1-9]/);
  });
});

describe('a model without background rows', () => {
  it('answers 409 naming `modelship profile` without a profile, the flag with an empty one', async () => {
    const bare = await serve(await stampedForeignModel(foreignFixtures.rentRegression));
    const expected = foreignExpected(foreignFixtures.rentRegression);
    const none = await bare.post('/explain', expected.records[0]);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('explain_unavailable');
    expect(none.body.error.message).toMatch(/modelship profile DIR --data CSV/);
    expect((await bare.post('/predict', expected.records[0])).status).toBe(200);
    await bare.service.shutdown.begin('test done');

    const dir = await mkdtemp(join(tmpdir(), 'modelship-explain-'));
    await cp(insuranceModelDir, dir, { recursive: true });
    const profile = JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8'));
    delete profile.background;
    await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
    const empty = await serve(dir);
    const answer = await empty.post(
      '/explain',
      compileSchema(parseSchema(JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8'))))
        .example,
    );
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toMatch(/--background-rows/);
    await empty.service.shutdown.begin('test done');
    await rm(dir, { recursive: true });
  });
});

describe('a binary classifier (LogisticRegression in skl2onnx layout)', () => {
  it('explains every class in margin space, with the prediction and probabilities of /predict', async () => {
    const name = foreignFixtures.churnBinary;
    const dir = await stampedForeignModel(name);
    const expected = foreignExpected(name);
    const schema = parseSchema(JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8')));
    const classes = expected.classes ?? [];
    const profile = buildProfile(schema, expected.records, expected.labels ?? [], {
      fingerprint: compileSchema(schema).fingerprint,
      classes,
      backgroundRows: 20,
    });
    await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
    const s = await serve(dir);
    const { status, body } = await s.post('/explain', expected.records[30]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ method: 'additive', space: 'margin', backgroundRows: 20 });
    const predicted = await s.post('/predict', expected.records[30]);
    expect(body.prediction).toBe(predicted.body.prediction);
    expect(body.probabilities).toEqual(predicted.body.probabilities);
    for (const label of classes.map(String)) {
      const margin = body.baseline[label] + sum(body.contributions[label]);
      expect(relative(margin, body.output[label])).toBeLessThan(1e-9);
      expect(Math.abs(1 / (1 + Math.exp(-margin)) - body.probabilities[label])).toBeLessThan(1e-5);
    }
    await s.service.shutdown.begin('test done');
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import { insuranceModelDir, loadInsuranceRows, referencePredict } from '@modelship/insurance-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { loadModel } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createDeps } from '../service.ts';
import { memoryLogger, postJson } from '../testing/fake-deps.ts';

// Served predictions of the bundled model, through the whole HTTP path, against the parity
// reference of @modelship/insurance-model for all 1,338 rows of the data set.

const modelFile = join(insuranceModelDir, 'model.onnx');
const available = existsSync(modelFile);
if (!available && process.env.CI === 'true') {
  throw new Error(`CI: the bundled model ${modelFile} is missing`);
}
if (!available) console.warn(`skipping served parity: ${modelFile} is missing (run pnpm train)`);

describe.skipIf(!available)('served parity with the bundled insurance model', () => {
  let model: ServedModel;
  let app: ReturnType<typeof createApp>;
  let records: FeatureRecord[];
  let reference: readonly number[];

  beforeAll(async () => {
    model = await loadModel({ dir: insuranceModelDir });
    const deps = createDeps({
      config: loadConfig({}),
      logger: memoryLogger().logger,
      model,
      defaultMetrics: false,
    });
    deps.readiness.markReady();
    app = createApp(deps);
    const fields = model.schema.fields.map((f) => f.name);
    const rows: readonly Record<string, unknown>[] = loadInsuranceRows();
    // The data rows also carry the target: a request sends only the features.
    records = rows.map(
      (row) => Object.fromEntries(fields.map((f) => [f, row[f]])) as FeatureRecord,
    );
    reference = referencePredict(records);
  });
  afterAll(() => model?.release());

  /** Equal up to float32 rounding (relative 1e-6; the model's own parity test allows 1e-4). */
  const expectSame = (served: readonly number[], expected: readonly number[]) => {
    expect(served).toHaveLength(expected.length);
    served.forEach((value, i) => {
      const ref = expected[i] as number;
      expect(
        Math.abs(value - ref),
        `row ${i}: served ${value}, reference ${ref}`,
      ).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref)));
    });
  };

  it('has all 1,338 rows', () => {
    expect(records).toHaveLength(1338);
    expect(reference).toHaveLength(1338);
  });

  it('serves the reference prediction for every row, in batches of up to MAX_BATCH', async () => {
    const served: number[] = [];
    for (let start = 0; start < records.length; start += 1000) {
      const instances = records.slice(start, start + 1000);
      const res = await app.request('/predict', postJson({ instances }));
      expect(res.status).toBe(200);
      served.push(...((await res.json()) as { predictions: number[] }).predictions);
    }
    expectSame(served, reference);
  });

  it('serves the same numbers one record at a time (/predict and /predict_api)', async () => {
    const sample = records.map((_, i) => i).filter((i) => i % 97 === 0);
    for (const i of sample) {
      const single = await app.request('/predict', postJson(records[i]));
      const tutorial = await app.request('/predict_api', postJson(records[i]));
      const prediction = ((await single.json()) as { prediction: number }).prediction;
      expectSame(
        [prediction, (await tutorial.json()) as number],
        [reference[i] as number, reference[i] as number],
      );
    }
  });
});

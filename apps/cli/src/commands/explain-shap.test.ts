// tree-shap on binary tree classifiers whose leaves weigh one class (LightGBM and XGBoost in
// onnxmltools' layout, a scikit-learn forest in skl2onnx's) as a user serves them (`modelship
// init`, then /explain over real HTTP), against shap's TreeExplainer on the same trees and the
// same background rows (test-fixtures/exporters/tree_shap.py wrote tree-shap.json).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exporterFixtures } from '@modelship/feature-schema/test-fixtures/exporters.ts';
import { createLogger, loadConfig, startService } from '@modelship/inference';
import { describe, expect, it } from 'vitest';
import { initExporterFixture } from '../testing.ts';

/** tree-shap.json: shap's values per record, `[class 0, class 1]`, fields in data.csv's order. */
interface ShapReference {
  readonly space: 'margin' | 'probability';
  readonly background: readonly Record<string, number>[];
  readonly records: readonly Record<string, number>[];
  readonly baseline: readonly [number, number];
  readonly contributions: readonly (readonly (readonly number[])[])[];
}

const silent = () =>
  createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe('tree-shap on one-class binary tree layouts equals shap’s TreeExplainer', () => {
  it.each([
    exporterFixtures.lightgbmBreastCancer,
    exporterFixtures.xgboostBreastCancer,
    exporterFixtures.sklearnBreastCancer,
  ])('%s', { timeout: 120_000 }, async (name) => {
    const { source, expected, out, init } = await initExporterFixture(name);
    const reference = JSON.parse(
      await readFile(join(source, 'tree-shap.json'), 'utf8'),
    ) as ShapReference;
    expect(init.code).toBe(0);
    // The background shap explained against, in place of init's sample.
    const profilePath = join(out, 'profile.json');
    const profile = JSON.parse(await readFile(profilePath, 'utf8'));
    await writeFile(profilePath, JSON.stringify({ ...profile, background: reference.background }));

    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MODEL_DIR: out });
    const service = await startService({ config, logger: silent(), exit: () => {} });
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/explain`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ instances: reference.records }),
      });
      expect(res.status).toBe(200);
      // biome-ignore lint/suspicious/noExplicitAny: a plain JSON body
      const body: any = await res.json();
      expect(body).toMatchObject({
        method: 'tree-shap',
        space: reference.space,
        backgroundRows: reference.background.length,
      });
      const classes = (expected.classes ?? []).map(String);
      const fields = Object.keys(reference.records[0] ?? {});
      let worst = 0;
      // biome-ignore lint/suspicious/noExplicitAny: a plain JSON body
      body.explanations.forEach((e: any, i: number) => {
        classes.forEach((label, k) => {
          worst = Math.max(worst, Math.abs(e.baseline[label] - (reference.baseline[k] as number)));
          fields.forEach((f, j) => {
            const want = reference.contributions[i]?.[k]?.[j] as number;
            worst = Math.max(worst, Math.abs(e.contributions[label][f] - want));
          });
          // Additive in its space: the margins give back the probabilities through a logistic.
          const output = e.baseline[label] + sum(e.contributions[label]);
          const p = reference.space === 'margin' ? 1 / (1 + Math.exp(-output)) : output;
          expect(Math.abs(p - e.probabilities[label]), `record ${i} ${label}`).toBeLessThan(1e-5);
        });
      });
      expect(worst).toBeLessThan(1e-5);
    } finally {
      await service.shutdown.begin('test done');
    }
  });
});

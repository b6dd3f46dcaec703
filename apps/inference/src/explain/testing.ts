// Test helpers: fixture models as served models with background rows, and an independent
// brute-force Shapley reference (every permutation of the fields, the served model's own run).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import { loadModel } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import type { Prediction } from '../model/task.ts';
import { createExplainer } from './explainer.ts';
import type { Explainer, ExplainMethod } from './types.ts';

/** A loaded model, its explainer, and the bytes of its `model.onnx`. */
export interface ExplainFixture {
  readonly model: ServedModel;
  readonly explainer: Explainer;
  release(): Promise<void>;
}

/** Loads a model directory and builds its explainer against `background`. */
export async function explainFixture(
  dir: string,
  background: readonly FeatureRecord[],
  options: { readonly method?: ExplainMethod; readonly samples?: number } = {},
): Promise<ExplainFixture> {
  const model = await loadModel({ dir, readProfile: false });
  const explainer = await createExplainer({
    bytes: await readFile(join(dir, 'model.onnx')),
    compiled: model.compiled,
    task: model.task,
    background,
    maxExactFields: 12,
    modelDir: dir,
    samples: options.samples ?? 256,
    ...(options.method ? { method: options.method } : {}),
  });
  return {
    model,
    explainer,
    release: async () => {
      await explainer.release();
      await model.release();
    },
  };
}

/**
 * Shapley values by their definition: the mean over all F! orders of each field's marginal
 * contribution, where v(S) is the mean model output over the background rows with the fields
 * of S taken from `x`. `output` maps a prediction to the explained outputs.
 */
export async function bruteForceShapley(
  model: ServedModel,
  x: FeatureRecord,
  background: readonly FeatureRecord[],
  output: (p: Prediction) => number[],
): Promise<{ phi: number[][]; baseline: number[] }> {
  const names = model.schema.fields.map((f) => f.name);
  const F = names.length;
  const value = new Map<number, number[]>();
  const records: FeatureRecord[] = [];
  for (let s = 0; s < 2 ** F; s++) {
    for (const z of background) {
      records.push(
        Object.fromEntries(names.map((n, i) => [n, (s >> i) & 1 ? x[n] : z[n]])) as FeatureRecord,
      );
    }
  }
  const predictions = await model.run(records);
  for (let s = 0; s < 2 ** F; s++) {
    const rows = predictions.slice(s * background.length, (s + 1) * background.length).map(output);
    const K = rows[0]?.length ?? 0;
    value.set(
      s,
      Array.from(
        { length: K },
        (_, k) => rows.reduce((sum, r) => sum + (r[k] ?? 0), 0) / rows.length,
      ),
    );
  }
  const K = value.get(0)?.length ?? 0;
  const phi = Array.from({ length: K }, () => new Array<number>(F).fill(0));
  let orders = 0;
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) {
      orders++;
      let s = 0;
      for (const i of prefix) {
        const before = value.get(s) ?? [];
        s |= 1 << i;
        const after = value.get(s) ?? [];
        for (let k = 0; k < K; k++) {
          const row = phi[k] as number[];
          row[i] = (row[i] as number) + (after[k] ?? 0) - (before[k] ?? 0);
        }
      }
      return;
    }
    rest.forEach((i, j) => {
      permute([...prefix, i], [...rest.slice(0, j), ...rest.slice(j + 1)]);
    });
  };
  permute(
    [],
    names.map((_, i) => i),
  );
  return { phi: phi.map((row) => row.map((v) => v / orders)), baseline: value.get(0) ?? [] };
}

/** Seeded valid records of a schema: numbers within their ranges (or near the example), levels. */
export function randomRecords(
  model: Pick<ServedModel, 'schema'>,
  n: number,
  random: () => number,
): FeatureRecord[] {
  return Array.from({ length: n }, () =>
    Object.fromEntries(
      model.schema.fields.map((f) => {
        if (f.kind === 'categorical')
          return [f.name, f.levels[Math.floor(random() * f.levels.length)]];
        const lo = f.min ?? f.example - 10;
        const hi = f.max ?? f.example + 10;
        const v = lo + random() * (Math.min(hi, lo + 60) - lo);
        return [f.name, f.dtype === 'integer' ? Math.round(v) : Math.round(v * 100) / 100];
      }),
    ),
  );
}

/** The largest `|a - b| / max(1, |b|)` over two arrays. */
export function worstRelative(a: readonly number[], b: readonly number[]): number {
  return a.reduce(
    (m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? Number.NaN)) / Math.max(1, Math.abs(b[i] ?? 0))),
    0,
  );
}

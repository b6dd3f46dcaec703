import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSchema, parseSchema } from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelDir } from './config.ts';
import { loadInsuranceRows } from './data.ts';
import { referencePredict } from './reference.ts';

// No skew: onnxruntime-node on the committed model.onnx, fed by the schema's encoder, must
// give the training-time reference prediction (TypeScript, same weights) for every row.

describe('parity: onnxruntime-node vs the TypeScript reference (all 1,338 rows)', () => {
  const schema = parseSchema(JSON.parse(readFileSync(join(modelDir, 'schema.json'), 'utf8')));
  const compiled = compileSchema(schema);
  const rows = loadInsuranceRows();
  const records = rows.map(({ charges: _, ...record }) => record);
  let session: ort.InferenceSession;

  beforeAll(async () => {
    session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), {
      intraOpNumThreads: 1,
    });
  });
  afterAll(() => session?.release());

  const run = async (batch: typeof records) => {
    const feeds = Object.fromEntries(
      Object.entries(compiled.encode(batch)).map(([name, t]) => [
        name,
        new ort.Tensor(t.type, t.data as Float32Array, t.dims),
      ]),
    );
    const out = (await session.run(feeds))[schema.output.name] as ort.Tensor;
    expect(out.dims).toEqual([batch.length, 1]);
    return Array.from(out.data as Float32Array);
  };

  it('declares the schema’s inputs (raw fields) and output', () => {
    expect(session.inputNames).toEqual(['age', 'sex', 'bmi', 'children', 'smoker', 'region']);
    expect(session.outputNames).toEqual(['charges']);
  });

  it('matches the reference within 1e-4 relative for every row, in one batch', async () => {
    const served = await run(records);
    const reference = referencePredict(records);
    let worst = 0;
    served.forEach((value, i) => {
      const ref = reference[i] as number;
      const rel = Math.abs(value - ref) / Math.abs(ref);
      worst = Math.max(worst, rel);
      expect(rel, `row ${i}: onnxruntime ${value}, reference ${ref}`).toBeLessThanOrEqual(1e-4);
    });
    // float32 throughout: in practice the two differ by at most an ulp or two
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives the same numbers one row at a time', async () => {
    const reference = referencePredict(records);
    for (let i = 0; i < records.length; i += 89) {
      const [value] = await run([records[i] as (typeof records)[number]]);
      expect(
        Math.abs((value as number) - (reference[i] as number)) / (reference[i] as number),
      ).toBeLessThanOrEqual(1e-4);
    }
  });

  it('predicts the target reasonably (sanity: not a constant)', async () => {
    const served = await run(records);
    expect(new Set(served.map((v) => Math.round(v))).size).toBeGreaterThan(1000);
    const smokers = served.filter((_, i) => rows[i]?.smoker === 'yes');
    const others = served.filter((_, i) => rows[i]?.smoker === 'no');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(smokers)).toBeGreaterThan(2 * mean(others));
  });
});

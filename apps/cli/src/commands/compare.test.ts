// `modelship compare STABLE CANDIDATE --data CSV`: the bundled model against itself, and two
// linear fixtures whose differences the test computes itself.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import { insuranceModelDir, insuranceSchema } from '@modelship/insurance-model';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { describe, expect, it } from 'vitest';
import { compareClassification } from '../compare-data.ts';
import { run } from '../testing.ts';

const data = join(insuranceModelDir, '..', 'data', 'insurance.csv');
const regions = ['northeast', 'northwest', 'southeast', 'southwest'] as const;
const records: FeatureRecord[] = Array.from({ length: 40 }, (_, i) => ({
  age: 18 + ((i * 13) % 60),
  sex: i % 2 ? 'male' : 'female',
  bmi: 18 + ((i * 7) % 200) / 10,
  children: i % 4,
  smoker: i % 3 ? 'no' : 'yes',
  region: regions[i % 4] as string,
}));

async function csvOf(rows: readonly FeatureRecord[]): Promise<string> {
  const columns = Object.keys(rows[0] as FeatureRecord);
  const text = [columns.join(','), ...rows.map((r) => columns.map((c) => r[c]).join(','))].join(
    '\n',
  );
  const path = join(await mkdtemp(join(tmpdir(), 'modelship-compare-')), 'data.csv');
  await writeFile(path, `${text}\n`);
  return path;
}

describe('modelship compare', () => {
  it('finds no difference between the bundled model and itself', async () => {
    const result = await run(['compare', insuranceModelDir, insuranceModelDir, '--data', data]);
    expect(result.err).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/no difference: all 1338 predictions are equal/);
    const json = await run([
      'compare',
      insuranceModelDir,
      insuranceModelDir,
      '--data',
      data,
      '--json',
    ]);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({ task: 'regression', rows: 1338, changedRows: 0, largest: [] });
    expect(report.quantiles).toEqual({ min: 0, p05: 0, p25: 0, p50: 0, p75: 0, p95: 0, max: 0 });
  });

  it('reports the differences of a retrained variant: mean, extremes and the rows that changed most', async () => {
    const stable = linearModel(insuranceSchema);
    const candidate = linearModel(insuranceSchema, {
      weights: [2, 2, 1, 3, 50, 4, 5, 6, 7],
      bias: 3,
    });
    const stableDir = await writeModelDir(insuranceSchema, stable.bytes);
    const candidateDir = await writeModelDir(insuranceSchema, candidate.bytes);
    const csv = await csvOf(records);
    const expected = candidate
      .reference(records)
      .map((c, i) => c - (stable.reference(records)[i] as number));
    const result = await run([
      'compare',
      stableDir,
      candidateDir,
      '--data',
      csv,
      '--json',
      '--top',
      '3',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
    expect(report.rows).toBe(40);
    expect(report.changedRows).toBe(expected.filter((d) => d !== 0).length);
    expect(report.meanDifference).toBeCloseTo(mean, 3);
    expect(report.quantiles.min).toBeCloseTo(Math.min(...expected), 3);
    expect(report.quantiles.max).toBeCloseTo(Math.max(...expected), 3);
    const biggest = expected
      .map((d, i) => ({ d, i }))
      .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))[0] as { d: number; i: number };
    expect(report.largest).toHaveLength(3);
    expect(report.largest[0]).toMatchObject({ line: biggest.i + 2, record: records[biggest.i] });
    expect(report.largest[0].difference).toBeCloseTo(biggest.d, 3);
    const text = await run(['compare', stableDir, candidateDir, '--data', csv]);
    expect(text.out).toMatch(/40 of 40 predictions differ/);
    expect(text.out).toMatch(/largest changes:/);
  });

  it('counts agreement and the confusion between two classifiers', () => {
    const c = compareClassification(
      ['a', 'a', 'b', 'b', 'b'],
      ['a', 'b', 'b', 'b', 'a'],
      ['a', 'b', 'c'],
    );
    expect(c).toMatchObject({ rows: 5, agreeing: 3, agreement: 0.6, classes: ['a', 'b', 'c'] });
    expect(c.confusion).toEqual([
      [1, 1, 0],
      [1, 2, 0],
      [0, 0, 0],
    ]);
  });

  it('exits 2 on a usage error and 1 on a model the server refuses, with --help on stdout', async () => {
    expect((await run(['compare', insuranceModelDir, '--data', data])).code).toBe(2);
    expect((await run(['compare', insuranceModelDir, insuranceModelDir])).code).toBe(2);
    const help = await run(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: modelship compare STABLE_DIR CANDIDATE_DIR --data CSV/);
    const empty = await mkdtemp(join(tmpdir(), 'modelship-compare-'));
    const refused = await run(['compare', insuranceModelDir, empty, '--data', data]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/the server refuses the candidate model/);
  });
});
